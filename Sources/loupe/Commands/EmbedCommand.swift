import ArgumentParser
import Foundation
import Corpus
import JinaEmbeddings
import RemoteEncoders
import Session

/// `loupe embed`: JSON Lines in (`{"text": ...}` or `{"ids": [...]}` with --input-ids, each with an
/// optional "task"), one `{"embedding": [...]}` or `{"error": "..."}` line out per input, in order.
/// Text inputs go through the embedding cache (a text seen before under the same model, task, prefix
/// and max length costs no encoder work); `--input-ids` and `--no-normalize` bypass it, because the
/// cache holds normalized vectors of texts.
struct EmbedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Embed JSON Lines from stdin: {\"text\": ...} (or {\"ids\": [...]} with --input-ids) → {\"embedding\": [...]}.")

    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .long, help: "Task adapter (retrieval.query, retrieval.passage, separation, classification, text-matching) or none. Default: text-matching for jina, none otherwise.")
    var task: String?

    @Option(name: .long, help: "Matryoshka dimension: keep the first K values, then normalize.")
    var dim: Int?

    @Flag(name: .long, help: "Input lines hold token ids ({\"ids\": [...]}, with <s>/</s>); no prefix is added.")
    var inputIds = false

    @Flag(name: .long, help: "Output the mean-pooled vector without L2 normalization.")
    var noNormalize = false

    @Option(name: .long, help: "Inputs per forward pass (default 32).")
    var batchSize: Int = 32

    /// One input line, parsed and tokenized, waiting for its batch.
    struct Pending {
        var line: Int
        var ids: [Int32]
        var task: String?
        /// The input text (nil with --input-ids): the cache key.
        var text: String?
    }

    func run() async throws {
        guard batchSize > 0 else { throw CLIError("--batch-size must be positive") }
        let engine = try await modelOptions.openEngine()
        // With --endpoint there are no weights here: texts go through the cache to the endpoints.
        let model = engine.model
        if model == nil, inputIds || noNormalize {
            throw CLIError("\(inputIds ? "--input-ids" : "--no-normalize") needs the model's weights here: drop --endpoint")
        }
        let defaultTask = try cliErrors { try engine.task(task, preferred: nil) }
        try CLI.validate(dim, engine)
        if !inputIds, let model, model.tokenizer == nil {
            var why = "no tokenizer.json"
            do { _ = try model.tokenize("", task: nil) } catch { why = "\(error)" }
            throw CLIError("model \(model.name) cannot tokenize text (\(why)); pass token ids with --input-ids")
        }
        let maxLength = engine.maxLength
        // The cache holds normalized vectors of texts: token ids and unnormalized output bypass it.
        let indexer: Indexer? = inputIds || noNormalize ? nil : engine.indexer

        var outputs: [Int: String] = [:]
        var pending: [Pending] = []
        var next = 0, lineCount = 0, failed = false

        func flush() async throws {
            guard !pending.isEmpty else { return }
            if let indexer, await flushThroughCache(indexer) { return }
            guard let model else { return try await flushOneByOne(engine.indexer) }
            do {
                let vectors = try model.embed(ids: pending.map(\.ids), tasks: pending.map(\.task), normalize: false)
                for (p, v) in zip(pending, vectors) { outputs[p.line] = Self.embeddingLine(finish(v)) }
            } catch {
                // A batch failure names the batch; fall back to one row at a time to isolate the line.
                for p in pending {
                    do {
                        let v = try model.embed(ids: [p.ids], tasks: [p.task], normalize: false)[0]
                        outputs[p.line] = Self.embeddingLine(finish(v))
                    } catch { outputs[p.line] = Self.errorLine("\(error)"); failed = true }
                }
            }
            pending.removeAll()
            while let out = outputs.removeValue(forKey: next) { print(out); next += 1 }
        }

        /// Embeds the pending texts through the cache, one call per task; false (nothing consumed)
        /// when that fails, so the direct path below isolates the failing line.
        func flushThroughCache(_ indexer: Indexer) async -> Bool {
            var byTask: [String?: [Pending]] = [:]
            for p in pending { byTask[p.task, default: []].append(p) }
            var done: [(Int, [Float])] = []
            for (task, group) in byTask {
                guard let vectors = try? await indexer.embed(texts: group.map { $0.text ?? "" }, task: task,
                                                             applyPrefix: !modelOptions.noPrefix, priority: .bulk),
                      vectors.count == group.count else { return false }
                done += zip(group.map(\.line), vectors).map { ($0, $1) }
            }
            for (line, v) in done { outputs[line] = Self.embeddingLine(finish(v)) }
            pending.removeAll()
            while let out = outputs.removeValue(forKey: next) { print(out); next += 1 }
            return true
        }

        /// Remote: each pending text alone, so a refused input is an error line and the others go on; when
        /// no endpoint is left the command stops (what is done is in the cache).
        func flushOneByOne(_ indexer: Indexer) async throws {
            for p in pending {
                do {
                    let v = try await indexer.embed(texts: [p.text ?? ""], task: p.task, applyPrefix: !modelOptions.noPrefix,
                                                    priority: .bulk)
                    outputs[p.line] = Self.embeddingLine(finish(v[0]))
                } catch let error as RemoteError {
                    if case .allEndpointsFailed = error { throw CLIError("\(error)") }
                    outputs[p.line] = Self.errorLine("\(error)"); failed = true
                }
            }
            pending.removeAll()
            while let out = outputs.removeValue(forKey: next) { print(out); next += 1 }
        }

        while let raw = readLine(strippingNewline: true) {
            if raw.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            let line = lineCount
            lineCount += 1
            do {
                pending.append(try parse(raw, line: line, engine: engine, model: model, defaultTask: defaultTask, maxLength: maxLength))
            } catch {
                outputs[line] = Self.errorLine("\(error)")
                failed = true
            }
            if pending.count >= batchSize { try await flush() }
            while let out = outputs.removeValue(forKey: next) { print(out); next += 1 }
        }
        try await flush()
        while let out = outputs.removeValue(forKey: next) { print(out); next += 1 }
        if !modelOptions.quiet { CLI.noteEndpoints(engine) }  // with --endpoint: what each one did (stderr)
        if failed { throw ExitCode.failure }
    }

    /// Matryoshka truncation and normalization of a mean-pooled vector.
    func finish(_ pooled: [Float]) -> [Float] {
        var v = pooled
        if let dim { v = Array(v.prefix(dim)) }
        if !noNormalize { v = EmbeddingModel.truncate(v, to: v.count) }
        return v
    }

    func parse(_ raw: String, line: Int, engine: Engine, model: EmbeddingModel?, defaultTask: String?, maxLength: Int) throws -> Pending {
        guard let obj = (try? JSONSerialization.jsonObject(with: Data(raw.utf8))) as? [String: Any] else {
            throw CLIError("line \(line + 1): not a JSON object")
        }
        var lineTask = defaultTask
        if let t = obj["task"], !(t is NSNull) {
            guard let s = t as? String else { throw CLIError("line \(line + 1): \"task\" must be a string") }
            lineTask = try cliErrors { try engine.task(s, preferred: nil) }
        }
        if inputIds {
            guard let arr = obj["ids"] as? [Any] else { throw CLIError("line \(line + 1): no \"ids\" array (--input-ids)") }
            var ids: [Int32] = []
            for x in arr {
                guard let n = x as? NSNumber, n.doubleValue == n.doubleValue.rounded(), abs(n.doubleValue) < 2e9 else {
                    throw CLIError("line \(line + 1): ids must be integers")
                }
                ids.append(n.int32Value)
            }
            guard ids.count <= maxLength else {
                throw CLIError("line \(line + 1): \(ids.count) ids exceed the maximum length \(maxLength)")
            }
            try engine.encoder.check(ids: ids)
            return Pending(line: line, ids: ids, task: lineTask)
        }
        guard let text = obj["text"] as? String else { throw CLIError("line \(line + 1): no \"text\" string") }
        guard let model else { return Pending(line: line, ids: [], task: lineTask, text: text) }
        let enc = try model.tokenize(text, task: lineTask, applyPrefix: !modelOptions.noPrefix, maxLength: maxLength)
        return Pending(line: line, ids: enc.ids, task: lineTask, text: text)
    }

    static func embeddingLine(_ v: [Float]) -> String {
        "{\"embedding\": [" + v.map { $0.isFinite ? "\($0)" : "null" }.joined(separator: ", ") + "]}"
    }

    static func errorLine(_ message: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: ["error": message])) ?? Data("{\"error\": \"error\"}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
