import Foundation

/// What `Indexer.indexStreaming` did, and how far it got (readable from any thread while it runs).
public struct StreamedIndex: Sendable, Equatable {
    public var documents = 0
    public var chunks = 0
    /// Newly computed vs found in the cache (embedded + cached = chunks).
    public var embedded = 0
    public var cached = 0
    /// Bytes of the corpus read so far, of `totalBytes` (files only; standard input is not counted).
    public var bytesRead: Int64 = 0
    public var totalBytes: Int64 = 0
    public init() {}
}

/// The progress of a streamed index, shared between the indexing task and a progress display.
public final class StreamProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var state = StreamedIndex()
    public init() {}
    public var snapshot: StreamedIndex { lock.withLock { state } }
    func update(_ value: StreamedIndex) { lock.withLock { state = value } }
}

extension Indexer {
    /// Embeds a corpus into the cache a block of documents at a time, keeping no vectors: memory holds one
    /// block (its documents, tokens and vectors) and the line being read, whatever the corpus size. What
    /// `loupe index` runs; commands that answer questions about a corpus need all its vectors (`index`).
    ///
    /// Each block goes through `index` (cache lookup, only the missing items embedded, each batch written as
    /// it arrives). A text repeated across blocks is found in the cache the second time (counted as cached);
    /// without a cache it is embedded again.
    public func indexStreaming(_ reader: CorpusReader, task: String?, applyPrefix: Bool = true, chunkTokens: Int? = nil,
                               blockDocuments: Int = 4096, progress: StreamProgress? = nil) async throws -> StreamedIndex {
        var summary = StreamedIndex()
        summary.totalBytes = reader.totalBytes
        while true {
            let block = try reader.next(limit: blockDocuments)
            summary.bytesRead = reader.bytesRead
            progress?.update(summary)
            if block.isEmpty { break }
            let indexed = try await index(LoadedCorpus(documents: block, sources: reader.sources), task: task,
                                          applyPrefix: applyPrefix, chunkTokens: chunkTokens)
            summary.documents += block.count
            summary.chunks += indexed.chunks.count
            summary.embedded += indexed.embedded
            summary.cached += indexed.cached
            progress?.update(summary)
        }
        return summary
    }
}
