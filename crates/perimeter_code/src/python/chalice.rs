//! AWS Chalice's event objects as sources. An event handler (`@app.on_s3_event`,
//! `@app.on_sqs_message`, `@app.on_sns_message`, `@app.on_kinesis_record`,
//! `@app.on_dynamodb_record`) is called with an object wrapping the Lambda event: `event.key`
//! is the object key of the first record, iterating an SQS, Kinesis or DynamoDB event gives its
//! records, `record.body` is a message body. Each attribute is mapped back to the raw event's
//! access path, so flows read the same as on the raw event and the application graph links
//! them to what writes the bucket, queue, topic or stream.
//!
//! A raw Lambda event is a `dict`: attribute access on it, or on what iterating it gives (its
//! keys), does not happen in working code, so these names cannot be misread on one.

/// Attributes of the whole event (S3 and SNS events wrap one record).
const EVENT: &[(&str, &str)] = &[
    ("key", "Records[].s3.object.key"),
    ("bucket", "Records[].s3.bucket.name"),
    ("message", "Records[].Sns.Message"),
    ("subject", "Records[].Sns.Subject"),
    ("message_attributes", "Records[].Sns.MessageAttributes"),
];

/// Attributes of a record of an iterated event.
const RECORD: &[(&str, &str)] = &[
    ("body", "Records[].body"),
    ("receipt_handle", "Records[].receiptHandle"),
    ("data", "Records[].kinesis.data"),
    ("partition_key", "Records[].kinesis.partitionKey"),
    ("sequence_number", "Records[].kinesis.sequenceNumber"),
    ("new_image", "Records[].dynamodb.NewImage"),
    ("old_image", "Records[].dynamodb.OldImage"),
    ("keys", "Records[].dynamodb.Keys"),
    ("event_name", "Records[].eventName"),
];

/// The event access path of the attribute `attr` of the event part at `path`, when it is a
/// Chalice event object's attribute; `None` otherwise.
pub(crate) fn property_path(path: &str, attr: &str) -> Option<String> {
    let table = match path {
        "" => EVENT,
        "[]" => RECORD,
        _ => return None,
    };
    table
        .iter()
        .find(|(a, _)| *a == attr)
        .map(|(_, p)| (*p).to_owned())
}

#[cfg(test)]
mod tests {
    use super::property_path;

    #[test]
    fn event_and_record_attributes_map_to_raw_event_paths() {
        assert_eq!(
            property_path("", "key").as_deref(),
            Some("Records[].s3.object.key")
        );
        assert_eq!(
            property_path("[]", "new_image").as_deref(),
            Some("Records[].dynamodb.NewImage")
        );
        // Deeper paths and other names are not Chalice's.
        assert_eq!(property_path("body", "key"), None);
        assert_eq!(property_path("", "detail"), None);
    }
}
