import Foundation
import Server

/// The input is a request body after a first byte that picks the route (`/v1/embeddings`, `/embed`,
/// `/tokenize`), decoded for a jina-v3-shaped model (five adapters, Matryoshka sizes, 8 inputs at most).
/// Decoding either refuses the body with an `APIError` of status 4xx (what the client then gets), or
/// gives a request whose every part the model can serve; any other error would be a 500.
struct ServerRequestHarness: Harness {
    static let model = ServedModel(
        name: "jina-embeddings-v3", tasks: ["retrieval.query", "retrieval.passage", "separation", "classification", "text-matching"],
        dimensions: [32, 64, 128, 256, 512, 768, 1024], hiddenSize: 1024, maxLength: 8194, canTokenize: true, dtype: "float32",
        precision: "exact")
    static let maxInputs = 8

    func run(_ input: [UInt8]) throws {
        guard let selector = input.first else { return }
        let routes = RequestDecoding.Route.allCases
        let route = routes[Int(selector) % routes.count]
        let decoded: RequestDecoding.Decoded
        do {
            decoded = try RequestDecoding.decode(Array(input.dropFirst()), route: route, model: Self.model, maxInputs: Self.maxInputs)
        } catch let error as APIError {
            try require((400..<500).contains(error.status.code), "\(route): status \(error.status.code) for a bad body: \(error.message)")
            try require(!error.message.isEmpty, "\(route): an error without a message")
            return
        } catch {
            throw HarnessFailure("\(route): \(type(of: error)) escaped decoding (it would be a 500): \(error)")
        }
        try require((1...Self.maxInputs).contains(decoded.inputCount), "\(route): \(decoded.inputCount) inputs accepted")
        try require((decoded.texts?.count ?? decoded.tokenIDs?.count) == decoded.inputCount, "\(route): input count disagrees")
        try require(decoded.task.map(Self.model.tasks.contains) ?? true, "\(route): unknown task \(decoded.task ?? "") accepted")
        try require(decoded.dimensions.map(Self.model.dimensions.contains) ?? true, "\(route): dimensions \(decoded.dimensions ?? 0) accepted")
        for row in decoded.tokenIDs ?? [] {
            try require(!row.isEmpty && row.allSatisfy { $0 >= 0 }, "\(route): token ids \(row.prefix(8)) accepted")
        }
    }
}
