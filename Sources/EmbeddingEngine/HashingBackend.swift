import Foundation
import JinaEmbeddings
import Tokenizers

/// A deterministic stand-in model: words hash to fixed random unit vectors, a text is the normalized
/// mean of its words (plus a per-task offset). Texts sharing words are similar, identical texts are
/// identical, so service, cache, indexer and UI logic can be tested without weights. An optional delay
/// per batch (polling `shouldCancel` like the real model does between layers) simulates a slow encoder.
public struct HashingBackend: EmbeddingBackend {
    public let info: ModelInfo
    public let maxLength: Int
    /// Sleep per forward pass, split into `layers` slices with a cancellation poll between them.
    public let delayPerBatch: Double
    /// Extra sleep per token of a forward pass (a speed in tokens per second, for batch sizing tests).
    public let delayPerToken: Double
    public let layers: Int
    /// Counts and hooks, shared by copies of the backend (tests read them).
    public let stats = Stats()

    public final class Stats: @unchecked Sendable {
        private let lock = NSLock()
        private var _texts = 0, _batches = 0, _lateDocuments = 0
        private var _batchTokens: [Int] = []
        /// Called on the thread running each forward pass (tests check which queue that is).
        public var onForward: (@Sendable () -> Void)? {
            get { lock.withLock { _onForward } }
            set { lock.withLock { _onForward = newValue } }
        }
        private var _onForward: (@Sendable () -> Void)?
        public var textsEmbedded: Int { lock.withLock { _texts } }
        public var batches: Int { lock.withLock { _batches } }
        public var lateChunkedDocuments: Int { lock.withLock { _lateDocuments } }
        /// Tokens of each plain forward pass, in order.
        public var batchTokens: [Int] { lock.withLock { _batchTokens } }
        func record(texts: Int, late: Bool, tokens: Int) {
            let hook = lock.withLock { () -> (@Sendable () -> Void)? in
                _texts += texts; _batches += 1; if late { _lateDocuments += 1 } else { _batchTokens.append(tokens) }
                return _onForward
            }
            hook?()
        }
    }

    public init(name: String = "hashing", hiddenSize: Int = 32,
                tasks: [String] = ["retrieval.query", "retrieval.passage", "text-matching"],
                maxLength: Int = 512, delayPerBatch: Double = 0, delayPerToken: Double = 0, layers: Int = 4) {
        var instructions: [String: String] = [:]
        for task in tasks { instructions[task] = task == "retrieval.query" ? "Query: " : "" }
        info = ModelInfo(name: name, tasks: tasks, dimensions: Array(1...hiddenSize), hiddenSize: hiddenSize,
                         defaultTask: tasks.contains("text-matching") ? "text-matching" : tasks.first,
                         fingerprint: "hashing-\(name)-\(hiddenSize)", instructions: instructions)
        self.maxLength = maxLength
        self.delayPerBatch = delayPerBatch
        self.delayPerToken = delayPerToken
        self.layers = max(1, layers)
    }

    public func tokenIDs(_ text: String, task: String?, applyPrefix: Bool) throws -> [Int32] {
        if let task, !info.tasks.contains(task) { throw ModelError.unknownTask(task, valid: info.tasks) }
        let prefix = applyPrefix ? (task.flatMap { info.instructions[$0] } ?? "") : ""
        let full = prefix + text
        let words = Self.words(full).map { Int32(truncatingIfNeeded: Self.hash($0) % 100_000) + 3 }
        return Array(([0] + words).prefix(maxLength - 1)) + [2]
    }

    /// Words as tokens (offsets in scalars of prefix + text), `<s>` = 0 and `</s>` = 2 around them.
    public func encode(_ text: String, task: String?, applyPrefix: Bool, addSpecialTokens: Bool) throws -> Encoding {
        if let task, !info.tasks.contains(task) { throw ModelError.unknownTask(task, valid: info.tasks) }
        let full = (applyPrefix ? (task.flatMap { info.instructions[$0] } ?? "") : "") + text
        let spans = WordSpans.spans(full)
        let words = Self.words(full)
        var byteAt = [0]  // UTF-8 offset of each scalar index
        for s in full.unicodeScalars { byteAt.append(byteAt[byteAt.count - 1] + String(s).utf8.count) }
        var enc = Encoding(ids: words.map { Int32(truncatingIfNeeded: Self.hash($0) % 100_000) + 3 }, tokens: words,
                           offsets: spans, byteOffsets: spans.map { byteAt[$0.lowerBound]..<byteAt[$0.upperBound] },
                           specialTokensMask: Array(repeating: 0, count: words.count),
                           attentionMask: Array(repeating: 1, count: words.count))
        if addSpecialTokens {
            enc.ids = [0] + enc.ids + [2]
            enc.tokens = ["<s>"] + enc.tokens + ["</s>"]
            enc.offsets = [0..<0] + enc.offsets + [0..<0]
            enc.byteOffsets = [0..<0] + enc.byteOffsets + [0..<0]
            enc.specialTokensMask = [1] + enc.specialTokensMask + [1]
            enc.attentionMask += [1, 1]
        }
        return enc
    }

    public func tokenSpans(_ text: String) -> [Range<Int>] { WordSpans.spans(text) }

    public func check(ids: [Int32]) throws {
        guard !ids.isEmpty, ids.allSatisfy({ $0 >= 0 && $0 < 100_003 }), ids.count <= maxLength else {
            throw ModelError.invalidInput("ids must be 1…\(maxLength) values in 0..<100003")
        }
    }

    public func embed(ids: [[Int32]], tasks: [String?], normalize: Bool,
                      shouldCancel: @escaping @Sendable () -> Bool) throws -> [[Float]] {
        guard tasks.count == ids.count else { throw ModelError.invalidInput("\(ids.count) inputs but \(tasks.count) tasks") }
        try simulateWork(shouldCancel, tokens: ids.reduce(0) { $0 + $1.count })
        stats.record(texts: ids.count, late: false, tokens: ids.reduce(0) { $0 + $1.count })
        return zip(ids, tasks).map { row, task in
            vector(ofTokens: row.map { UInt64(bitPattern: Int64($0)) }, task: task, normalize: normalize)
        }
    }

    public func embedLateChunks(text: String, chunks: [Range<Int>], task: String?, applyPrefix: Bool,
                                shouldCancel: @escaping @Sendable () -> Bool) throws -> [[Float]] {
        try simulateWork(shouldCancel, tokens: text.unicodeScalars.count / 5)
        stats.record(texts: 1, late: true, tokens: 0)
        let context = Self.hash(text) % 7  // late chunking sees the whole document
        return chunks.map { span in
            let words = Self.words(Self.slice(text, span)).map { Self.hash($0) }
            return vector(ofTokens: words + [context], task: task, normalize: true)
        }
    }

    private func simulateWork(_ shouldCancel: () -> Bool, tokens: Int) throws {
        let delay = delayPerBatch + delayPerToken * Double(tokens)
        guard delay > 0 else {
            if shouldCancel() { throw ModelError.cancelled }
            return
        }
        for _ in 0..<layers {
            if shouldCancel() { throw ModelError.cancelled }
            Thread.sleep(forTimeInterval: delay / Double(layers))
        }
        if shouldCancel() { throw ModelError.cancelled }
    }

    /// Mean of per-token pseudo-random vectors, shifted per task, L2-normalized when `normalize`.
    private func vector(ofTokens tokens: [UInt64], task: String?, normalize: Bool) -> [Float] {
        let d = info.hiddenSize
        var sum = [Float](repeating: 0, count: d)
        for token in tokens {
            var state = token &* 0x9E37_79B9_7F4A_7C15 &+ 1
            for i in 0..<d {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                sum[i] += Float(Int64(bitPattern: state >> 11) % 2001 - 1000) / 1000
            }
        }
        if let task { sum[Int(Self.hash(task) % UInt64(d))] += Float(tokens.count) * 0.3 }
        if !normalize { return sum.map { $0 / Float(max(tokens.count, 1)) } }
        let norm = max(sum.reduce(0) { $0 + $1 * $1 }.squareRoot(), 1e-12)
        return sum.map { $0 / norm }
    }

    /// FNV-1a over UTF-8: stable across processes, unlike `hashValue`.
    static func hash(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }

    /// The token strings of WordSpans, in one linear pass.
    static func words(_ s: String) -> [String] {
        let scalars = Array(s.unicodeScalars)
        return WordSpans.spans(s).map { span in
            var w = String.UnicodeScalarView()
            w.append(contentsOf: scalars[span])
            return String(w)
        }
    }

    static func slice(_ s: String, _ span: Range<Int>) -> String {
        let scalars = s.unicodeScalars
        let lo = scalars.index(scalars.startIndex, offsetBy: span.lowerBound, limitedBy: scalars.endIndex) ?? scalars.endIndex
        let hi = scalars.index(lo, offsetBy: span.count, limitedBy: scalars.endIndex) ?? scalars.endIndex
        return String(scalars[lo..<hi])
    }
}
