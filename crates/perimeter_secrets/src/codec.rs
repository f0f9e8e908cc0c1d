//! Small decoders and checksums the detectors validate candidates with (CRC32, base62,
//! base64), written here to keep the crate free of extra dependencies.

/// The CRC-32 (IEEE 802.3, reflected polynomial `0xEDB88320`) of `data`, as zlib computes it.
pub(crate) fn crc32(data: &[u8]) -> u32 {
    const TABLE: [u32; 256] = crc32_table();
    let mut crc = !0u32;
    for &b in data {
        crc = TABLE[((crc ^ u32::from(b)) & 0xff) as usize] ^ (crc >> 8);
    }
    !crc
}

const fn crc32_table() -> [u32; 256] {
    let mut table = [0u32; 256];
    let mut n: u32 = 0;
    while n < 256 {
        let mut c = n;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 == 1 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[n as usize] = c;
        n += 1;
    }
    table
}

/// The base62 digits in the order GitHub's token checksums use.
const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// `n` in base62, left-padded with `0` to at least `width` digits.
pub(crate) fn base62(mut n: u32, width: usize) -> String {
    let mut digits = Vec::with_capacity(width.max(6));
    while n > 0 {
        digits.push(BASE62[(n % 62) as usize]);
        n /= 62;
    }
    while digits.len() < width {
        digits.push(b'0');
    }
    digits.reverse();
    digits.into_iter().map(char::from).collect()
}

/// Whether a GitHub-style token body (the part after `ghp_`, `npm_`...) ends with the base62
/// CRC32 of the rest: 30 random characters then a 6-character checksum.
pub(crate) fn has_crc32_checksum(body: &str) -> bool {
    if body.len() != 36 || !body.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return false;
    }
    let (random, check) = body.split_at(30);
    base62(crc32(random.as_bytes()), 6) == check
}

/// Decodes standard or URL-safe base64, with or without padding. `None` on any other byte.
pub(crate) fn base64_decode(input: &str) -> Option<Vec<u8>> {
    let trimmed = input.trim_end_matches('=');
    if input.len() - trimmed.len() > 2 {
        return None;
    }
    let mut out = Vec::with_capacity(trimmed.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0u32;
    for b in trimmed.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits).to_le_bytes()[0]);
        }
    }
    // A single leftover character cannot encode a byte: not base64.
    if bits >= 6 {
        return None;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn base62_pads_and_orders_digits() {
        assert_eq!(base62(0, 6), "000000");
        assert_eq!(base62(61, 1), "z");
        assert_eq!(base62(62, 1), "10");
        assert_eq!(base62(u32::MAX, 6), "4gfFC3");
    }

    #[test]
    fn base64_round_trips_known_values() {
        assert_eq!(
            base64_decode("dXNlcjpwYXNz").as_deref(),
            Some(&b"user:pass"[..])
        );
        assert_eq!(base64_decode("YQ==").as_deref(), Some(&b"a"[..]));
        assert_eq!(base64_decode("YQ").as_deref(), Some(&b"a"[..]));
        assert_eq!(
            base64_decode("eyJhbGciOiJIUzI1NiJ9").as_deref(),
            Some(&br#"{"alg":"HS256"}"#[..])
        );
        assert!(base64_decode("a").is_none());
        assert!(base64_decode("ab$d").is_none());
    }
}
