import Foundation

/// From a decoded request to vectors: token limits (422 for an input over the model's length, 413 for
/// a request over the token limit), queue admission (429), the lane, the provider call and Matryoshka
/// truncation. Shared by `/v1/embeddings` and `/embed`.
struct EmbedPipeline: Sendable {
    let provider: any EmbeddingProvider
    let configuration: ServerConfiguration
    let throughput: ThroughputMeter
    let log: @Sendable (String) -> Void

    struct Output {
        /// One vector per input, truncated to the requested dimensions.
        var vectors: [[Float]]
        var tokens: Int
        var lane: Lane
    }

    /// `lane`: what the client asked for (`X-Loupe-Priority`); nil = by size.
    func run(_ request: EmbedRequest, inputParam: String, lane asked: Lane? = nil) async throws -> Output {
        let model = provider.model
        var tokens = 0
        var idRows: [[Int32]] = []
        switch request.inputs {
        case .texts(let texts):
            guard model.canTokenize else {
                throw APIError.invalid(inputParam, "model \(model.name) has no tokenizer, so it cannot embed text; send token-id arrays")
            }
            if request.lateChunking {
                let n = try await count([texts.joined(separator: lateChunkSeparator)], task: request.task, param: inputParam)[0]
                if n > model.maxLength && !request.truncate {
                    throw APIError.invalid(inputParam, "with late_chunking the inputs form one document of \(n) tokens; the model "
                                           + "takes at most \(model.maxLength): send fewer chunks, or \"truncate\": true "
                                           + "to embed it in windows", code: "input_too_long")
                }
                tokens = n
            } else {
                for (i, n) in try await count(texts, task: request.task, param: inputParam).enumerated() {
                    if n > model.maxLength && !request.truncate { throw Self.tooLong(inputParam, i, n, model.maxLength) }
                    tokens += min(n, model.maxLength)
                }
            }
        case .ids(let rows):
            for (i, given) in rows.enumerated() {
                var row = given
                if row.count > model.maxLength {
                    guard request.truncate else { throw Self.tooLong(inputParam, i, row.count, model.maxLength) }
                    row = Array(row.prefix(model.maxLength))
                }
                do { try provider.check(ids: row) } catch {
                    throw APIError.invalid("\(inputParam)[\(i)]", "\(error)", code: "invalid_token_ids")
                }
                idRows.append(row)
                tokens += row.count
            }
        }
        guard tokens <= configuration.maxRequestTokens else {
            throw APIError.tooManyTokens(tokens, limit: configuration.maxRequestTokens, param: inputParam)
        }
        let queued = provider.load.queuedTokens
        guard queued + tokens <= configuration.maxQueuedTokens else {
            throw APIError.queueFull(retryAfter: throughput.secondsToProcess(tokens: queued))
        }
        let lane: Lane = asked ?? (request.inputs.count <= configuration.interactiveMaxInputs
            && tokens <= configuration.interactiveMaxTokens ? .interactive : .bulk)

        let full: [[Float]]
        do {
            switch request.inputs {
            case .texts(let texts) where request.lateChunking:
                full = try await provider.embedLateChunks(texts, task: request.task, lane: lane)
            case .texts(let texts):
                full = try await provider.embed(texts: texts, task: request.task, normalize: request.normalized, lane: lane)
            case .ids:
                full = try await provider.embed(ids: idRows, task: request.task, normalize: request.normalized, lane: lane)
            }
        } catch let error as CancellationError {
            throw error
        } catch {
            log("embedding failed: \(error)")
            throw APIError.internalError
        }
        guard full.count == request.inputs.count else {
            log("embedding failed: \(full.count) vectors for \(request.inputs.count) inputs")
            throw APIError.internalError
        }
        let vectors = full.map { truncate($0, to: request.dimensions, normalized: request.normalized) }
        return Output(vectors: vectors, tokens: tokens, lane: lane)
    }

    private func count(_ texts: [String], task: String?, param: String) async throws -> [Int] {
        let counts: [Int]
        do { counts = try await provider.countTokens(texts, task: task) } catch let error as CancellationError {
            throw error
        } catch {
            throw APIError.invalid(param, "cannot tokenize this input: \(error)", code: "tokenization_error")
        }
        guard counts.count == texts.count else { throw APIError.internalError }
        return counts
    }

    private static func tooLong(_ param: String, _ i: Int, _ n: Int, _ limit: Int) -> APIError {
        APIError.invalid("\(param)[\(i)]", "input \(i) has \(n) tokens; the model takes at most \(limit): shorten it, or "
                         + "send \"truncate\": true to cut it", code: "input_too_long")
    }
}

/// Encoder throughput, an exponential average over recent forward passes: how long a queue of tokens
/// takes, for Retry-After.
final class ThroughputMeter: @unchecked Sendable {
    private let lock = NSLock()
    private var tokensPerSecond: Double?

    func record(tokens: Int, seconds: Double) {
        guard seconds > 0, tokens > 0 else { return }
        let rate = Double(tokens) / seconds
        lock.withLock { tokensPerSecond = tokensPerSecond.map { 0.8 * $0 + 0.2 * rate } ?? rate }
    }

    /// Whole seconds, 1…60.
    func secondsToProcess(tokens: Int) -> Int {
        guard let rate = lock.withLock({ tokensPerSecond }), rate > 0 else { return 1 }
        return min(60, max(1, Int((Double(tokens) / rate).rounded(.up))))
    }
}
