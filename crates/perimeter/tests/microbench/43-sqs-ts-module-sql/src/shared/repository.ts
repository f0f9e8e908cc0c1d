import knex from 'knex';

const db = knex({ client: 'pg', connection: process.env.DATABASE_URL });

export async function saveEvent(kind: string, at: string): Promise<void> {
  await db.raw(`INSERT INTO events (kind, at) VALUES ('${kind}', '${at}')`);
}

export async function countKind(kind: string): Promise<void> {
  await db.raw('UPDATE kinds SET n = n + 1 WHERE kind = ?', [kind]);
}
