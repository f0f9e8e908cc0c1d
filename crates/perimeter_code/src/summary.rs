//! What code analysis says about one function: the contract between the language analysers
//! and the rules and data-flow linker.

use perimeter_diagnostics::{Kind, Loc, ScanError};

/// The language of a handler.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Language {
    /// JavaScript (CommonJS or ES modules).
    JavaScript,
    /// TypeScript.
    TypeScript,
    /// Python.
    Python,
}

/// The analysis of one function.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct FunctionSummary {
    /// The function's id in the model.
    pub function: String,
    /// The handler's definition, once resolved.
    pub handler: Option<Loc>,
    /// The handler's language.
    pub language: Option<Language>,
    /// Files reached from the handler (relative paths, sorted).
    pub files: Vec<String>,
    /// Untrusted data reaching a sink.
    pub flows: Vec<Flow>,
    /// AWS SDK calls the code makes.
    pub sdk_calls: Vec<SdkCall>,
    /// Packages imported (npm names, Python top-level modules) that are not repository files.
    pub imports: Vec<String>,
    /// Environment variables the code reads by name (sorted).
    pub env_reads: Vec<String>,
    /// Access checks whose denial does not stop the handler (sorted).
    #[serde(default)]
    pub denials: Vec<Denial>,
    /// Access checks that stop the caller (a 401 or 403 response, then a return or a throw)
    /// before the code has called any service or sink: the route is protected in code
    /// (sorted).
    #[serde(default)]
    pub guards: Vec<Loc>,
    /// Library calls that handle credentials (a password checked or hashed, a token issued,
    /// an OAuth exchange, a webhook's sender verified), in the order the analysis met them.
    #[serde(default)]
    pub credentials: Vec<CredentialCall>,
    /// What a request reaches: the part of the above done while the entry points run, as
    /// against what the modules do when they load (a client built, a connection string read,
    /// a package imported). `None` when the analysis did not tell them apart.
    #[serde(default)]
    pub request: Option<RequestReach>,
    /// Strings the code builds from constants only (concatenation, template literals,
    /// f-strings, formatting, joins, base64 encoding), folded to their value: the outermost
    /// such expression of each place (sorted), for the secret detectors.
    #[serde(default)]
    pub folded: Vec<FoldedText>,
    /// Where an authorizer answers `Allow` on the path where a token's verification failed
    /// (sorted): the routes behind it let in callers whose token was rejected.
    #[serde(default)]
    pub fail_open: Vec<Loc>,
    /// How the code uses the packages it imports: each call of a package's function or
    /// object, and each time it hands one to code it does not have (sorted). `None` when the
    /// analysis does not record them (Python), or recorded too many to keep.
    #[serde(default)]
    pub package_uses: Option<Vec<PackageUse>>,
    /// What could not be analysed (handler not found, parse errors, budget exhausted).
    pub errors: Vec<ScanError>,
}

/// What the entry points (the handler, or the routes of a framework app) reach when a request
/// runs them, through every call they make, across modules.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RequestReach {
    /// The SDK calls made while a request runs (indices into the summary's `sdk_calls`).
    pub sdk_calls: Vec<usize>,
    /// Environment variables read while a request runs, or whose values, read when a module
    /// loaded, a request uses (sorted).
    pub env_reads: Vec<String>,
    /// Packages whose functions or objects a request calls (sorted).
    pub imports: Vec<String>,
    /// The first call a request makes to something the analysis knows nothing of (a value of
    /// no known definition or library): what the modules set up may be reached through it.
    pub opaque: Option<Loc>,
}

/// One use of an imported package's function or object by the code.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PackageUse {
    /// The package (npm name).
    pub package: String,
    /// The dotted member path from the package (`get`, `defaults().get`), `""` for the
    /// package itself.
    pub member: String,
    /// Where.
    pub loc: Loc,
    /// What the code does with it.
    pub how: PackageUseKind,
}

/// What code does with a package's function or object.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum PackageUseKind {
    /// An outbound HTTP request the analysis recognised (recorded with the SDK calls under
    /// the service `http`, its URL judged for SSRF).
    Request,
    /// Another call.
    Call,
    /// Handed to code the analysis does not have (`promisify(request)`): what that code
    /// does with it is not known.
    Passed,
}

/// Most package uses recorded for one function; beyond, none are (`package_uses` is `None`).
pub(crate) const MAX_PACKAGE_USES: usize = 5_000;

/// A string expression whose value the analysis knows entirely although it is not one
/// literal: `'Basic ' + Buffer.from('user:' + pw).toString('base64')` with `pw` a constant.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FoldedText {
    /// The expression.
    pub loc: Loc,
    /// Its value (at most 400 characters).
    pub value: String,
    /// The variable, property or keyword argument it is assigned to, when there is one.
    pub name: Option<String>,
}

/// Most folded strings recorded for one function.
pub(crate) const MAX_FOLDED: usize = 2_000;

/// Records the folded strings: one per place (the outermost expression), in file order.
pub(crate) fn set_folded(summary: &mut FunctionSummary, mut folded: Vec<FoldedText>) {
    folded.sort_by(|a, b| {
        (
            a.loc.path(),
            a.loc.span.start,
            std::cmp::Reverse(a.loc.span.end),
        )
            .cmp(&(
                b.loc.path(),
                b.loc.span.start,
                std::cmp::Reverse(b.loc.span.end),
            ))
    });
    let mut out: Vec<FoldedText> = Vec::with_capacity(folded.len());
    for f in folded {
        // Inside the previous one (same file): a part of a value already kept.
        if let Some(last) = out.last()
            && last.loc.path() == f.loc.path()
            && last.loc.span.start <= f.loc.span.start
            && f.loc.span.end <= last.loc.span.end
        {
            continue;
        }
        out.push(f);
    }
    summary.folded = out;
}

/// An access check whose denial does not stop the handler: the branch sends a 401 or 403
/// response and neither returns nor throws, so what follows runs for the denied caller too.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Denial {
    /// The check (the `if` statement's condition).
    pub check: Loc,
    /// The first statement that runs after the denial.
    pub then: Loc,
}

/// A library call that handles a credential.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CredentialCall {
    /// What it does.
    pub kind: CredentialKind,
    /// The function called (`bcryptjs.compare`, `jwt.encode`).
    pub name: String,
    /// Where.
    pub loc: Loc,
    /// Whether the code had already written, invoked or sent something when it was met (a
    /// verification met after an effect does not protect that effect).
    #[serde(default)]
    pub after_effect: bool,
}

/// What a credential call does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum CredentialKind {
    /// Checks a password against its stored hash (`bcrypt.compare`, `check_password_hash`).
    PasswordCheck,
    /// Hashes a new password (`bcrypt.hash`, `generate_password_hash`).
    PasswordHash,
    /// Derives a key from a password (`pbkdf2`, `scrypt`): a check when compared in constant
    /// time.
    PasswordDerive,
    /// Compares in constant time (`hmac.compare_digest`, `crypto.timingSafeEqual`).
    SafeCompare,
    /// Computes an HMAC (`crypto.createHmac`, `hmac.new`).
    Hmac,
    /// Signs a token (`jwt.sign`, `jwt.encode`).
    TokenIssue,
    /// Starts an OAuth sign-in or exchanges its code with the provider.
    OAuth,
    /// A provider's webhook verification, which throws or answers false for a request the
    /// provider did not sign (`stripe.webhooks.constructEvent`, `@octokit/webhooks` verify).
    SenderVerify,
    /// Fetches a webhook's event back from its provider by id (`stripe.events.retrieve`):
    /// what the code acts on is the provider's, not the caller's.
    EventRefetch,
    /// Decrypts data with a cipher keyed by the code, not by the caller (`AES.new(key,
    /// ...).decrypt`, `Fernet(key).decrypt`, `crypto.createDecipheriv`): a payment gateway
    /// that encrypts its notification with the merchant's key proves its sender so.
    Decrypt,
    /// Compares with a constant the answer of an outbound `POST` that sent the caller's data
    /// to a destination the code chose (a notification posted back to its provider, which
    /// answers whether it sent it).
    PostBack,
}

/// Where untrusted data enters the function.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Source {
    /// The access path into the event, normalised: `body`, `queryStringParameters.url`,
    /// `pathParameters.id`, `headers`, `Records[].body`, `Records[].s3.object.key`,
    /// `Records[].Sns.Message`, `Records[].dynamodb.NewImage`, `Records[].kinesis.data`,
    /// `detail`; for frameworks run inside Lambda, `req.body`, `req.query`, `request.args`;
    /// `error` for verbose-error flows; `s3-object` for the content of an object read with
    /// `GetObject` on an event-supplied key. When the code takes the event whole (for
    /// instance `JSON.stringify(event)`), the path is `*`.
    pub path: String,
    /// Where it is read.
    pub loc: Loc,
}

/// Fields of the records of queue, topic, bucket, stream and table events that the service
/// sets, not the sender: ids, ARNs, timestamps, sizes, hashes, signatures, the bucket. Data
/// read from them is not an attacker's (the object key, message body and attributes,
/// subject, images, partition key and data are).
const SERVICE_SET: &[&str] = &[
    "Records[].messageId",
    "Records[].receiptHandle",
    "Records[].md5OfBody",
    "Records[].md5OfMessageAttributes",
    "Records[].eventSource",
    "Records[].eventSourceARN",
    "Records[].awsRegion",
    "Records[].eventVersion",
    "Records[].eventTime",
    "Records[].eventName",
    "Records[].eventID",
    "Records[].invokeIdentityArn",
    "Records[].attributes.ApproximateReceiveCount",
    "Records[].attributes.ApproximateFirstReceiveTimestamp",
    "Records[].attributes.SentTimestamp",
    "Records[].attributes.SenderId",
    "Records[].attributes.SequenceNumber",
    "Records[].s3.s3SchemaVersion",
    "Records[].s3.configurationId",
    "Records[].s3.bucket",
    "Records[].s3.object.size",
    "Records[].s3.object.eTag",
    "Records[].s3.object.versionId",
    "Records[].s3.object.sequencer",
    "Records[].EventSource",
    "Records[].EventVersion",
    "Records[].EventSubscriptionArn",
    "Records[].Sns.Type",
    "Records[].Sns.MessageId",
    "Records[].Sns.TopicArn",
    "Records[].Sns.Timestamp",
    "Records[].Sns.SignatureVersion",
    "Records[].Sns.Signature",
    "Records[].Sns.SigningCertUrl",
    "Records[].Sns.SigningCertURL",
    "Records[].Sns.UnsubscribeUrl",
    "Records[].Sns.UnsubscribeURL",
    "Records[].dynamodb.ApproximateCreationDateTime",
    "Records[].dynamodb.SequenceNumber",
    "Records[].dynamodb.SizeBytes",
    "Records[].dynamodb.StreamViewType",
    "Records[].kinesis.sequenceNumber",
    "Records[].kinesis.approximateArrivalTimestamp",
    "Records[].kinesis.kinesisSchemaVersion",
    // A custom resource's request: CloudFormation sets where the answer goes (a presigned
    // URL) and the stack's ids. Inline template code is mostly such handlers.
    "ResponseURL",
    "StackId",
    "RequestId",
    "LogicalResourceId",
];

/// Whether a source path is a record field the service sets (see [`SERVICE_SET`]).
pub fn is_service_set(path: &str) -> bool {
    SERVICE_SET.iter().any(|p| {
        path.strip_prefix(p)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
    })
}

/// Records the denials that fall through, in file order.
pub(crate) fn set_denials(summary: &mut FunctionSummary, mut denials: Vec<Denial>) {
    denials.sort_by(|a, b| {
        (a.check.path(), a.check.span.start).cmp(&(b.check.path(), b.check.span.start))
    });
    summary.denials = denials;
}

/// Records the credential calls, once each, in the order met.
pub(crate) fn set_credentials(summary: &mut FunctionSummary, mut calls: Vec<CredentialCall>) {
    let mut seen = std::collections::HashSet::new();
    calls.retain(|c| seen.insert((c.kind as u8, c.loc.path().to_owned(), c.loc.span.start)));
    summary.credentials = calls;
}

/// Records the guards, in file order.
pub(crate) fn set_guards(summary: &mut FunctionSummary, mut guards: Vec<Loc>) {
    guards.sort_by(|a, b| (a.path(), a.span.start).cmp(&(b.path(), b.span.start)));
    guards.dedup();
    summary.guards = guards;
}

/// Drops what the analysis found from record fields the service sets: flows from them, and
/// writes whose data is only theirs.
pub(crate) fn drop_service_set(summary: &mut FunctionSummary) {
    summary.flows.retain(|f| !is_service_set(&f.source.path));
    for call in &mut summary.sdk_calls {
        if call
            .tainted
            .as_ref()
            .is_some_and(|t| is_service_set(&t.source.path))
        {
            call.tainted = None;
        }
    }
}

/// Whether a source path is data read back from a table (`stored`, `stored.Item.itemList`).
pub fn is_stored(path: &str) -> bool {
    path == "stored" || path.starts_with("stored.") || path.starts_with("stored[")
}

impl Source {
    /// Whether it is data read back from a table.
    pub fn is_stored(&self) -> bool {
        is_stored(&self.path)
    }

    /// The attribute of the items read back that the data is, when the code reads one
    /// (`stored.Item.itemList` is `itemList`; `stored.Items[].name` is `name`).
    pub fn stored_attribute(&self) -> Option<&str> {
        if !self.is_stored() {
            return None;
        }
        self.path
            .trim_start_matches("stored")
            .split(['.', '['])
            .map(|s| s.trim_end_matches(']'))
            .find(|s| {
                !s.is_empty()
                    && !matches!(*s, "Item" | "Items" | "Attributes" | "Responses" | "0")
                    && !s.chars().all(|c| c.is_ascii_digit())
            })
    }
}

/// One step of a flow inside a function.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Step {
    /// Where.
    pub loc: Loc,
    /// What the value is here (`name`, `sql`, `argument 1 of buildQuery`).
    pub note: String,
}

/// Untrusted data reaching a sink inside one function.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Flow {
    /// What the sink does with it: one of the injection kinds, or `VerboseError`.
    pub kind: Kind,
    /// The source.
    pub source: Source,
    /// Intermediate steps, in order, from source to sink (sink excluded).
    pub steps: Vec<Step>,
    /// The sink call or expression.
    pub sink: Loc,
    /// The sink's name (`child_process.execSync`, `cursor.execute`, `eval`).
    pub sink_name: String,
}

/// How the resource of an SDK call is given.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum ResourceExpr {
    /// A literal string (queue URL, bucket name, table name, ARN, function name).
    Literal(String),
    /// An environment variable (`process.env.QUEUE_URL`, `os.environ["TABLE"]`).
    Env(String),
    /// Built from parts we partly know: the known text, with `*` where unknown.
    Pattern(String),
    /// Not known statically; the text says what it is (`parameter table`, `event.bucket`).
    Unknown(String),
}

/// An AWS SDK call.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SdkCall {
    /// The service as IAM names it (`sqs`, `s3`, `dynamodb`, `sns`, `lambda`, `events`,
    /// `states`, `kinesis`, `secretsmanager`, `ssm`).
    pub service: String,
    /// The operation in API form (`SendMessage`, `PutObject`, `PutItem`, `Invoke`); `*` when
    /// the code chooses it at run time (`client[op](...)`, `getattr(client, op)(...)`). The
    /// permissions a call needs beyond its own action are recorded as calls of their own at
    /// the same place (`iam`/`PassRole` with the role passed, `s3`/`AbortMultipartUpload` for
    /// a managed upload).
    pub operation: String,
    /// The resource argument (`QueueUrl`, `Bucket`, `TableName`, `TopicArn`,
    /// `FunctionName`, `StreamName`, `EventBusName`, `stateMachineArn`).
    pub resource: ResourceExpr,
    /// Where the call is.
    pub loc: Loc,
    /// When the data written (message body, object key or body, item, payload) is derived
    /// from untrusted data: the source and the steps to this call.
    pub tainted: Option<TaintedPayload>,
    /// For S3 writes: the object key as far as it is known (`uploads/*`), for recursion and
    /// trigger-filter checks.
    pub key: Option<ResourceExpr>,
    /// For DynamoDB: the index a query or scan reads (`IndexName`), when it is a constant.
    #[serde(default)]
    pub index: Option<String>,
    /// When the data written is an object whose fields are known (a message body built with
    /// `JSON.stringify({...})`, an item, a payload): its top-level fields, for the data map.
    pub fields: Vec<PayloadField>,
}

/// A top-level field of the data an SDK call writes.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PayloadField {
    /// Its name.
    pub name: String,
    /// Its value, when it is a known constant.
    pub value: Option<String>,
}

/// The operation of an SDK call whose operation the code chooses at run time.
pub const DYNAMIC_OPERATION: &str = "*";

impl SdkCall {
    /// Whether the code chooses the operation at run time: what it needs is not known.
    pub fn is_dynamic(&self) -> bool {
        self.operation == DYNAMIC_OPERATION
    }

    /// Whether it is a call to an AWS service (not an outbound HTTP request, which is recorded
    /// with the calls under the service `http`, nor a write through an Azure output binding,
    /// under `azure`).
    pub fn is_aws(&self) -> bool {
        !self.is_http() && self.service != crate::spec::AZURE_SERVICE
    }

    /// Whether it is an outbound HTTP request.
    pub fn is_http(&self) -> bool {
        self.service == crate::spec::HTTP_SERVICE
    }
}

/// Untrusted data written through an SDK call.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TaintedPayload {
    /// Which field of the request carries it (`MessageBody`, `Key`, `Body`, `Item`,
    /// `Payload`, `Message`, `Detail`, `Data`).
    pub field: String,
    /// Where it came from.
    pub source: Source,
    /// Steps from the source to the call.
    pub steps: Vec<Step>,
    /// When the data is an object whose fields are known (an invocation payload, a state
    /// machine input): each top-level field, with its source when it is untrusted. Empty when
    /// the structure is not known.
    pub parts: Vec<PayloadPart>,
}

/// One top-level field of a payload whose structure is known.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PayloadPart {
    /// The field name.
    pub name: String,
    /// Where its untrusted data came from and the steps to the call; `None` when clean.
    pub taint: Option<(Source, Vec<Step>)>,
}

#[cfg(test)]
mod tests {
    use super::is_service_set;

    #[test]
    fn service_set_record_fields_are_not_sources() {
        assert!(is_service_set("Records[].messageId"));
        assert!(is_service_set("Records[].s3.bucket.name"));
        assert!(!is_service_set("Records[].body"));
        assert!(!is_service_set("Records[].s3.object.key"));
        // A prefix of a name is not the name.
        assert!(!is_service_set("Records[].eventSourceARNs"));
        assert!(!is_service_set("Records[].Sns.Message"));
    }
}
