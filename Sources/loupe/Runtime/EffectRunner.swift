import Analysis
import Corpus
import EmbeddingEngine
import Explorer
import Foundation
import JinaEmbeddings

/// What the runtime needs once the model is loaded.
struct Engine: Sendable {
    var model: EmbeddingModel
    var service: EncoderService
    var indexer: Indexer
    var applyPrefix: Bool
    var chunkTokens: Int?
}

enum RuntimeError: Error, CustomStringConvertible {
    case notIndexed(String?)
    case outOfRange(Int)
    var description: String {
        switch self {
        case .notIndexed(let t): return "the corpus is not indexed under \(t ?? "none") yet"
        case .outOfRange(let i): return "document #\(i) is not in the corpus"
        }
    }
}

/// Runs the explorer's effects: indexing and analyses on background tasks (the encoder itself runs
/// on the EncoderService's own queue), results posted back as messages. Methods are called from
/// the input loop's thread only; the tasks it starts only touch Sendable values and the queue.
final class EffectRunner: @unchecked Sendable {
    let queue: MessageQueue
    let workspace: Workspace
    private let lock = NSLock()
    private var _engine: Engine?
    private var _fatal: String?
    private var tasks: [Int: Task<Void, Never>] = [:]
    private var indexTask: Task<Void, Never>?
    private var progressTask: Task<Void, Never>?

    init(queue: MessageQueue, workspace: Workspace) { self.queue = queue; self.workspace = workspace }

    var engine: Engine? {
        get { lock.lock(); defer { lock.unlock() }; return _engine }
        set { lock.lock(); _engine = newValue; lock.unlock() }
    }

    /// An error that ends the explorer (e.g. the model failed to load); the loop polls it.
    var fatal: String? {
        get { lock.lock(); defer { lock.unlock() }; return _fatal }
        set { lock.lock(); _fatal = newValue; lock.unlock() }
    }

    func run(_ effect: Effect) {
        switch effect {
        case .analyse(let id, let request, let task, let dim):
            guard let engine else { return }
            let workspace = self.workspace, queue = self.queue
            tasks[id] = Task.detached(priority: .userInitiated) {
                do {
                    let (result, ms) = try await Self.compute(request, task: task, dim: dim, engine: engine, workspace: workspace)
                    if !Task.isCancelled { queue.post(.result(id: id, result, latencyMs: ms)) }
                } catch is CancellationError {
                } catch {
                    if !Task.isCancelled { queue.post(.failed(id: id, message: "\(error)")) }
                }
            }
            if tasks.count > 64 { tasks = tasks.filter { $0.key > id - 32 } }
        case .cancel(let id):
            tasks.removeValue(forKey: id)?.cancel()
        case .reindex(let task):
            reindex(task)
        case .writeDropList(let documents):
            writeDropList(documents)
        case .debounce, .quit:
            break                                   // handled by the loop itself
        }
    }

    private func reindex(_ task: String?) {
        guard let engine else { return }
        indexTask?.cancel()
        let workspace = self.workspace, queue = self.queue
        indexTask = Task.detached(priority: .utility) {
            if let done = await workspace.index(for: task) {
                queue.post(.indexed(task: task, chunks: done.chunks.count, embedded: 0, cached: done.chunks.count))
                return
            }
            // The part embedded so far (the Indexer sends it at most once a second), so search works
            // during a long first index.
            let onPartial: @Sendable (IndexedCorpus) -> Void = { partial in
                guard !partial.chunks.isEmpty else { return }
                Task.detached(priority: .utility) {
                    await workspace.storePartial(partial, task: task)
                    queue.post(.indexPartial(task: task, chunks: partial.chunks.count))
                }
            }
            do {
                let indexed = try await engine.indexer.index(workspace.corpus, task: task, applyPrefix: engine.applyPrefix,
                                                             chunkTokens: engine.chunkTokens, onPartial: onPartial)
                guard !Task.isCancelled else { return }
                await workspace.store(indexed, task: task)
                queue.post(.indexed(task: task, chunks: indexed.chunks.count, embedded: indexed.embedded, cached: indexed.cached))
            } catch is CancellationError {
            } catch {
                queue.post(.indexFailed(task: task, message: "\(error)"))
            }
        }
        startProgressPolling(engine.service)
    }

    /// Posts the service's progress ten times a second while it changes.
    private func startProgressPolling(_ service: EncoderService) {
        guard progressTask == nil else { return }
        let queue = self.queue
        progressTask = Task.detached(priority: .utility) {
            var last = EncoderProgress()
            while !Task.isCancelled {
                let p = service.progress
                if p != last { queue.post(.progress(p)); last = p }
                try? await Task.sleep(nanoseconds: 100_000_000)
            }
        }
    }

    func stop() {
        progressTask?.cancel(); indexTask?.cancel()
        for t in tasks.values { t.cancel() }
    }

    /// Writes the documents marked "drop" (index, source, text; tab-separated) to
    /// ./loupe-drop-list.txt and reports the absolute path.
    private func writeDropList(_ documents: [Int]) {
        let docs = workspace.corpus.documents
        let lines = documents.filter { docs.indices.contains($0) }.map { i in
            "\(i)\t\(docs[i].source)\t\(docs[i].text.replacingOccurrences(of: "\t", with: " "))"
        }
        let url = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("loupe-drop-list.txt")
        do {
            try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
            queue.post(.dropListWritten(path: url.path, count: lines.count))
        } catch {
            queue.post(.failed(id: nil, message: "could not write \(url.path): \(error.localizedDescription)"))
        }
    }
}
