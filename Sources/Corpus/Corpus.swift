import Foundation

// The corpus model: documents with provenance, chunks, load results and errors.

/// One document of a corpus, with where it came from.
public struct Document: Sendable, Equatable {
    /// Position in the corpus, 0-based, in load order.
    public var index: Int
    public var text: String
    /// "file.txt:12", "data.csv:row 4", "dir/a.md", "stdin:3".
    public var source: String
    public init(index: Int, text: String, source: String) { self.index = index; self.text = text; self.source = source }
}

/// A piece of a document embedded with late chunking.
public struct Chunk: Sendable, Equatable {
    public var document: Int
    /// Unicode-scalar span into the document text.
    public var span: Range<Int>
    public var text: String
    public init(document: Int, span: Range<Int>, text: String) { self.document = document; self.span = span; self.text = text }
}

public struct LoadedCorpus: Sendable {
    public var documents: [Document]
    /// Invalid UTF-8 sequences replaced with U+FFFD while loading.
    public var repairedSequences: Int
    public var sources: [String]
    public init(documents: [Document], repairedSequences: Int = 0, sources: [String] = []) {
        self.documents = documents; self.repairedSequences = repairedSequences; self.sources = sources
    }
}

public enum CorpusError: Error, CustomStringConvertible {
    case empty(String)
    case unreadable(path: String, reason: String)
    case missingField(path: String, field: String, available: [String])
    case malformed(path: String, line: Int, reason: String)
    /// An option that makes no sense for indexing (e.g. `--chunk-tokens 0`).
    case invalidOption(String)
    /// A bug: the encoder answered without a vector for an item it was given.
    case missingVector(item: Int, of: Int)
    /// A path given to `loupe eval` that has none of the evaluation layouts.
    case notADataset(path: String, reason: String)
    public var description: String {
        switch self {
        case .empty(let what): return "the corpus is empty: \(what)"
        case .unreadable(let p, let r): return "cannot read \(p): \(r)"
        case .missingField(let p, let f, let a):
            return "\(p): no field '\(f)'" + (a.isEmpty ? "" : " (available: \(a.joined(separator: ", ")); use --field NAME)")
        case .malformed(let p, let l, let r): return "\(p):\(l): \(r)"
        case .invalidOption(let m): return m
        case .missingVector(let i, let n):
            return "internal error: no vector came back for item \(i + 1) of \(n) (a bug in loupe; please report it with the command you ran)"
        case .notADataset(let p, let r): return "\(p) is not an evaluation data set: \(r)"
        }
    }
}
