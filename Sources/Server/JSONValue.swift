import Foundation

/// A parsed JSON document, kept as JSON types so validation can name the field and the type it got
/// (Codable would fold both into one opaque error). Booleans and numbers stay distinct.
enum JSONValue: Decodable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    /// Parses a request body: 400 for bytes that are not UTF-8 or not JSON, 422 unless it is an object.
    static func parseObject(_ body: [UInt8]) throws -> [String: JSONValue] {
        guard String(validating: body, as: UTF8.self) != nil else { throw APIError.invalidUTF8 }
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(body))
        } catch let DecodingError.dataCorrupted(context) {
            let detail = (context.underlyingError.map { "\($0)" }) ?? context.debugDescription
            throw APIError.invalidJSON(Self.clip(detail))
        } catch {
            throw APIError.invalidJSON(Self.clip("\(error)"))
        }
        guard case .object(let object) = value else {
            throw APIError.invalid("body", "the request body must be a JSON object, got \(value.typeName)", code: "invalid_type")
        }
        return object
    }

    var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    private static func clip(_ s: String) -> String { s.count > 200 ? String(s.prefix(200)) + "…" : s }
}

/// Typed access to the fields of a request object; every mismatch is a 422 naming the field.
struct Fields {
    let object: [String: JSONValue]

    /// The value, or nil when absent or null (absent and null mean "the default" everywhere here).
    func value(_ key: String) -> JSONValue? {
        guard let v = object[key], v != .null else { return nil }
        return v
    }

    func string(_ key: String) throws -> String? {
        guard let v = value(key) else { return nil }
        guard case .string(let s) = v else { throw mismatch(key, "a string", v) }
        return s
    }

    func bool(_ key: String) throws -> Bool? {
        guard let v = value(key) else { return nil }
        guard case .bool(let b) = v else { throw mismatch(key, "true or false", v) }
        return b
    }

    func int(_ key: String) throws -> Int? {
        guard let v = value(key) else { return nil }
        guard case .number(let n) = v, n == n.rounded(), abs(n) < 1e9 else { throw mismatch(key, "an integer", v) }
        return Int(n)
    }

    func mismatch(_ key: String, _ expected: String, _ got: JSONValue) -> APIError {
        APIError.invalid(key, "\"\(key)\" must be \(expected), got \(got.typeName)", code: "invalid_type")
    }
}
