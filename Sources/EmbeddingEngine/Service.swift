import Foundation
import JinaEmbeddings

// Request and progress types of the EncoderService (issue 4).

public enum RequestPriority: Int, Sendable, Comparable {
    case bulk = 0, interactive = 1
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// One unit to embed: a whole text, chunk spans of a document (late chunking), or token ids.
public struct EmbeddingItem: Sendable, Hashable {
    public var text: String
    /// Unicode-scalar spans into `text` for late chunking; nil = embed the whole text as one vector.
    public var chunks: [Range<Int>]?
    /// Already-tokenized input (special tokens included), embedded as given: no prefix, no truncation.
    public var ids: [Int32]?
    public init(text: String, chunks: [Range<Int>]? = nil) { self.text = text; self.chunks = chunks }
    public init(ids: [Int32]) { self.text = ""; self.ids = ids }
}

/// Progress of the current bulk work (what the status bar and the CLI progress bar show).
public struct EncoderProgress: Sendable, Equatable {
    public var textsDone = 0
    public var textsTotal = 0
    public var tokensDone = 0
    public var tokensTotal = 0
    public var tokensPerSecond: Double = 0
    /// Seconds left, nil when unknown.
    public var eta: Double? = nil
    /// Seconds since the current bulk session began.
    public var elapsed: Double = 0
    /// Seconds the last interactive request took, from the call to its result (nil before the first).
    public var lastLatency: Double? = nil
    public var isActive: Bool { textsTotal > 0 && textsDone < textsTotal }
    public var fraction: Double { tokensTotal == 0 ? (textsTotal == 0 ? 1 : Double(textsDone) / Double(textsTotal)) : Double(tokensDone) / Double(tokensTotal) }
    public init() {}
}

/// Description of the loaded model, safe to read from any thread.
public struct ModelInfo: Sendable {
    public var name: String
    public var tasks: [String]          // adapters, empty when none
    public var dimensions: [Int]        // valid Matryoshka dims (or 1...hidden)
    public var hiddenSize: Int
    public var defaultTask: String?
    public var fingerprint: String
    public var instructions: [String: String]
    public init(name: String, tasks: [String], dimensions: [Int], hiddenSize: Int, defaultTask: String?,
                fingerprint: String, instructions: [String: String]) {
        self.name = name; self.tasks = tasks; self.dimensions = dimensions; self.hiddenSize = hiddenSize
        self.defaultTask = defaultTask; self.fingerprint = fingerprint; self.instructions = instructions
    }
}
