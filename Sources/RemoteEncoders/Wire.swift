import EmbeddingEngine
import Foundation

/// What one batch asks an endpoint for.
struct EmbedCall: Sendable {
    /// The texts as sent (with the task prefix when the client adds it).
    var texts: [String]
    /// Sent to endpoints that apply tasks themselves (loupe, Jina: `task`; TEI: `prompt_name`).
    var task: String?
    /// The texts are the chunks of one document: one pass, one vector per chunk.
    var lateChunking = false
    var normalize = true
    var priority: RequestPriority = .bulk
}

/// The request bodies and answers of each dialect (../shared/CONTRACTS.md). Vectors travel as base64
/// float32 where the dialect allows it: exact, and far cheaper to read than JSON numbers.
extension EndpointKind {
    func request(_ call: EmbedCall, model: String) -> (path: String, body: [String: Any], headers: [(String, String)]) {
        switch self {
        case .loupe, .jina:
            var body: [String: Any] = ["model": model, "input": call.texts, "embedding_type": "base64", "truncate": true]
            if let task = call.task { body["task"] = task }
            if call.lateChunking { body["late_chunking"] = true }
            if !call.normalize { body["normalized"] = false }
            // loupe serve puts small requests in its interactive lane unless told: bulk batches say so.
            let headers = self == .loupe ? [("X-Loupe-Priority", call.priority == .interactive ? "interactive" : "bulk")] : []
            return ("/v1/embeddings", body, headers)
        case .openai:
            return ("/v1/embeddings", ["model": model, "input": call.texts, "encoding_format": "base64"], [])
        case .tei:
            var body: [String: Any] = ["inputs": call.texts, "truncate": true, "normalize": call.normalize]
            if let task = call.task { body["prompt_name"] = task }
            return ("/embed", body, [])
        }
    }

    /// The vectors of an answer, in input order, and the model it names (when the dialect says).
    func parseEmbeddings(_ body: [UInt8], count: Int) throws -> (vectors: [[Float]], model: String?) {
        let json: Any
        do { json = try JSONSerialization.jsonObject(with: Data(body)) } catch {
            throw EndpointFailure.malformed("not JSON (\(body.count) bytes)")
        }
        if self == .tei {
            guard let rows = json as? [Any] else { throw EndpointFailure.malformed("expected an array of vectors") }
            guard rows.count == count else { throw EndpointFailure.malformed("\(rows.count) vectors for \(count) inputs") }
            return (try rows.map(Self.vector), nil)
        }
        guard let object = json as? [String: Any], let data = object["data"] as? [Any] else {
            throw EndpointFailure.malformed("no \"data\" list")
        }
        guard data.count == count else { throw EndpointFailure.malformed("\(data.count) vectors for \(count) inputs") }
        var vectors = [[Float]?](repeating: nil, count: count)
        for (position, entry) in data.enumerated() {
            guard let item = entry as? [String: Any] else { throw EndpointFailure.malformed("a data entry is not an object") }
            let index = (item["index"] as? NSNumber)?.intValue ?? position
            guard vectors.indices.contains(index), vectors[index] == nil else {
                throw EndpointFailure.malformed("data index \(index) out of order or repeated")
            }
            guard let embedding = item["embedding"] else { throw EndpointFailure.malformed("an entry without \"embedding\"") }
            vectors[index] = try Self.vector(embedding)
        }
        return (vectors.map { $0 ?? [] }, object["model"] as? String)
    }

    /// A vector as base64 little-endian float32, a number array, or an object keyed by type.
    static func vector(_ value: Any) throws -> [Float] {
        if let text = value as? String {
            guard let data = Data(base64Encoded: text), data.count % 4 == 0 else {
                throw EndpointFailure.malformed("an embedding that is not base64 float32")
            }
            return data.withUnsafeBytes { raw in
                (0..<data.count / 4).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
            }
        }
        if let numbers = value as? [Any] {
            return try numbers.map {
                guard let n = $0 as? NSNumber, !(n is Bool) else { throw EndpointFailure.malformed("a non-number in an embedding") }
                return n.floatValue
            }
        }
        if let typed = value as? [String: Any], let inner = typed["base64"] ?? typed["float"] { return try vector(inner) }
        throw EndpointFailure.malformed("an embedding that is neither base64 nor numbers")
    }

    /// `/tokenize` of loupe and text-embeddings-inference: per input, tokens with UTF-8 byte offsets.
    static func parseTokens(_ body: [UInt8], count: Int) throws -> [[(id: Int32, text: String, special: Bool, bytes: Range<Int>?)]] {
        guard let lists = (try? JSONSerialization.jsonObject(with: Data(body))) as? [[Any]], lists.count == count else {
            throw EndpointFailure.malformed("expected \(count) token lists from /tokenize")
        }
        return try lists.map { tokens in
            try tokens.map { entry in
                guard let t = entry as? [String: Any], let id = (t["id"] as? NSNumber)?.int32Value else {
                    throw EndpointFailure.malformed("a token without an id")
                }
                let special = (t["special"] as? Bool) ?? false
                var bytes: Range<Int>?
                if let start = (t["start"] as? NSNumber)?.intValue, let stop = (t["stop"] as? NSNumber)?.intValue,
                   start >= 0, stop >= start {
                    bytes = start..<stop
                }
                return (id, (t["text"] as? String) ?? "", special, bytes)
            }
        }
    }
}

/// JSON bytes of a body built from plain values.
func jsonBytes(_ object: [String: Any]) -> [UInt8] {
    Array((try? JSONSerialization.data(withJSONObject: object)) ?? Data("{}".utf8))
}
