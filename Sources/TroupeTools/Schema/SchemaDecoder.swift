import Foundation
import TroupeCore

/// The recording `Decoder` behind ``JSONSchema``: hands out containers that
/// answer with placeholders and note each request.
final class SchemaDecoder: Decoder {
    enum Shape {
        case unknown
        case object(ObjectRecord)
        case array(ArrayRecord)
        case single(JSONValue?)

        /// A single value that was read as a string (the tell-tale of a raw enum).
        var isSingleString: Bool {
            if case .single(let schema?) = self { return schema["type"] == "string" }
            return false
        }
    }

    let codingPath: [any CodingKey]
    let depth: Int
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    var shape: Shape = .unknown

    init(codingPath: [any CodingKey], depth: Int) {
        self.codingPath = codingPath
        self.depth = depth
    }

    var schema: JSONValue {
        switch shape {
        case .unknown: [:]
        case .object(let record): record.schema
        case .array(let record): record.schema
        case .single(let schema): schema ?? [:]
        }
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        let record: ObjectRecord
        if case .object(let existing) = shape { record = existing } else { record = ObjectRecord(); shape = .object(record) }
        return KeyedDecodingContainer(SchemaKeyedContainer<Key>(codingPath: codingPath, depth: depth, record: record))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let record = ArrayRecord()
        shape = .array(record)
        return SchemaUnkeyedContainer(codingPath: codingPath, depth: depth, record: record)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SchemaSingleValueContainer(decoder: self)
    }
}

/// Records an object's properties.
struct SchemaKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let codingPath: [any CodingKey]
    let depth: Int
    let record: ObjectRecord

    var allKeys: [Key] { [] }
    func contains(_ key: Key) -> Bool { true }
    func decodeNil(forKey key: Key) throws -> Bool { false }

    private func property<T: Decodable>(_ type: T.Type, _ key: Key, required: Bool) throws -> T {
        let (schema, value) = try SchemaRecorder.record(type, path: codingPath + [key], depth: depth)
        record.add(key.stringValue, schema, required: required)
        return value
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try property(type, key, required: true) }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try property(type, key, required: true) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try property(type, key, required: true) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try property(type, key, required: true) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try property(type, key, required: true) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try property(type, key, required: true) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try property(type, key, required: true) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try property(type, key, required: true) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try property(type, key, required: true) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try property(type, key, required: true) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try property(type, key, required: true) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try property(type, key, required: true) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try property(type, key, required: true) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try property(type, key, required: true) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try property(type, key, required: true) }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? { try property(type, key, required: false) }
    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try property(type, key, required: false) }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try property(type, key, required: false) }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try property(type, key, required: false) }
    func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? { try property(type, key, required: false) }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try property(type, key, required: false) }
    func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? { try property(type, key, required: false) }
    func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? { try property(type, key, required: false) }
    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { try property(type, key, required: false) }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try property(type, key, required: false) }
    func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? { try property(type, key, required: false) }
    func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? { try property(type, key, required: false) }
    func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? { try property(type, key, required: false) }
    func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? { try property(type, key, required: false) }
    func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? { try property(type, key, required: false) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type,
                                               forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        let nested = ObjectRecord()
        record.add(key.stringValue, nested.schema, required: true)
        // The nested record fills in as the caller decodes; store it once it is complete.
        return KeyedDecodingContainer(SchemaKeyedContainer<NestedKey>(
            codingPath: codingPath + [key], depth: depth + 1,
            record: nested.onChange { [record] schema in record.add(key.stringValue, schema, required: true) }))
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        let nested = ArrayRecord()
        record.add(key.stringValue, nested.schema, required: true)
        return SchemaUnkeyedContainer(codingPath: codingPath + [key], depth: depth + 1, record: nested) { [record] schema in
            record.add(key.stringValue, schema, required: true)
        }
    }

    func superDecoder() throws -> any Decoder { throw unsupported("superDecoder()") }
    func superDecoder(forKey key: Key) throws -> any Decoder { throw unsupported("superDecoder(forKey:)") }

    private func unsupported(_ what: String) -> SchemaDerivationError {
        SchemaDerivationError(type: "?", path: SchemaRecorder.dotted(codingPath),
                              reason: "\(what) (class inheritance) is not supported")
    }
}

/// Records an array's element type from its first element, then reports the end.
final class SchemaUnkeyedContainer: UnkeyedDecodingContainer {
    let codingPath: [any CodingKey]
    let depth: Int
    let record: ArrayRecord
    let changed: ((JSONValue) -> Void)?
    private(set) var currentIndex = 0

    init(codingPath: [any CodingKey], depth: Int, record: ArrayRecord, changed: ((JSONValue) -> Void)? = nil) {
        self.codingPath = codingPath
        self.depth = depth
        self.record = record
        self.changed = changed
    }

    var count: Int? { nil }
    var isAtEnd: Bool { currentIndex > 0 }
    func decodeNil() throws -> Bool { false }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (schema, value) = try SchemaRecorder.record(type, path: codingPath + [IndexKey(currentIndex)], depth: depth)
        if record.items == nil {
            record.items = schema
            changed?(record.schema)
        }
        currentIndex += 1
        return value
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let nested = ObjectRecord()
        currentIndex += 1
        return KeyedDecodingContainer(SchemaKeyedContainer<NestedKey>(
            codingPath: codingPath, depth: depth + 1,
            record: nested.onChange { [self] schema in
                record.items = schema
                changed?(record.schema)
            }))
    }

    func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let nested = ArrayRecord()
        currentIndex += 1
        return SchemaUnkeyedContainer(codingPath: codingPath, depth: depth + 1, record: nested) { [self] schema in
            record.items = schema
            changed?(record.schema)
        }
    }

    func superDecoder() throws -> any Decoder {
        SchemaDecoder(codingPath: codingPath, depth: depth + 1)
    }
}

/// Records a single value.
struct SchemaSingleValueContainer: SingleValueDecodingContainer {
    let decoder: SchemaDecoder
    var codingPath: [any CodingKey] { decoder.codingPath }

    func decodeNil() -> Bool { false }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (schema, value) = try SchemaRecorder.record(type, path: codingPath, depth: decoder.depth)
        decoder.shape = .single(schema)
        return value
    }
}

/// An array index as a coding key.
struct IndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "\(intValue ?? 0)" }
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { return nil }
    init?(intValue: Int) { self.intValue = intValue }
}

extension ObjectRecord {
    /// This record, reporting its schema to `changed` after every property added.
    func onChange(_ changed: @escaping (JSONValue) -> Void) -> ObjectRecord {
        observer = changed
        return self
    }
}
