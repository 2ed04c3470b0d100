import Corpus
import EmbeddingEngine
import Foundation
import Session

/// The CLI side of a session: stderr notes, loading a corpus, and indexing it with a progress bar.
/// Everything else (which model, which task, the vectors, every answer) is the Session module's.
enum CLI {
    /// One line on stderr (diagnostics never go to stdout, which carries the command's output).
    static func note(_ message: String) {
        FileHandle.standardError.write(Data(("loupe: " + message + "\n").utf8))
    }

    /// Loads the corpus files; prints the loading notes (repaired UTF-8) on stderr.
    static func loadCorpus(_ paths: [String], options: CorpusOptions) throws -> LoadedCorpus {
        guard !paths.isEmpty else { throw CLIError("no corpus given: pass one or more files, a directory, or - for stdin") }
        let loaded = try cliErrors { try CorpusLoader.load(paths: paths, field: options.field) }
        noteRepairs(loaded.repairedSequences, sources: loaded.sources)
        return loaded
    }

    /// The note about invalid UTF-8 replaced while reading (nothing when there was none).
    static func noteRepairs(_ count: Int, sources: [String]) {
        guard count > 0 else { return }
        note("replaced \(count) invalid UTF-8 sequence\(count == 1 ? "" : "s") with U+FFFD while reading \(sources.joined(separator: ", "))")
    }

    /// A corpus command's session: the corpus loaded, the engine opened, `--task` resolved (nil →
    /// `preferred` when the model has it) and `--dim` checked, the corpus indexed under that task through
    /// the cache, with a progress bar on stderr when it is a terminal (unless --quiet).
    static func openWorkspace(_ paths: [String], corpus: CorpusOptions, model: ModelOptions, task: String?,
                              preferred: String?, dim: Int?) async throws -> (workspace: Workspace, task: String?, indexed: IndexedCorpus) {
        let loaded = try loadCorpus(paths, options: corpus)
        let engine = try await model.openEngine()
        let resolved = try cliErrors { try engine.task(task, preferred: preferred) }
        try validate(dim, engine)
        let workspace = try cliErrors { try Workspace(engine: engine, corpus: loaded, chunkTokens: corpus.chunkTokens) }
        if corpus.chunkTokens != nil, let note = engine.lateChunkingNote { CLI.note(note) }
        let indexed = try await cliErrors {
            try await ProgressBar.run(encoder: engine.encoder, label: "indexing",
                                      enabled: !model.quiet && ProgressBar.stderrIsTerminal) {
                try await workspace.index(task: resolved)
            }
        }
        if !model.quiet { noteEndpoints(engine) }
        return (workspace, resolved, indexed)
    }

    /// With --endpoint: what each endpoint did, and its measured speed (what the arithmetic in
    /// docs/remote-encoders.md needs). Tokens are the pool's estimate, about four UTF-8 bytes each.
    static func noteEndpoints(_ engine: Engine) {
        for e in engine.encoder.endpoints {
            var line = "endpoint \(e.name): \(e.batchesDone) batch\(e.batchesDone == 1 ? "" : "es")"
            if e.tokensPerSecond > 0 { line += String(format: ", about %.0f tokens/s", e.tokensPerSecond) }
            if e.failures > 0 { line += ", \(e.failures) failed (last: \(e.lastError ?? "unknown"))" }
            if !e.isUsable { line += ", set aside" }
            note(line)
        }
    }

    static func validate(_ dim: Int?, _ engine: Engine) throws {
        guard let dim else { return }
        do { try engine.validate(dimension: dim) } catch { throw CLIError("--dim \(dim): \(error)") }
    }

    /// Asks the workspace a question at (task, dim ?? full size).
    static func answer(_ question: Question, _ workspace: Workspace, task: String?, dim: Int?) async throws -> Answer {
        try await cliErrors {
            try await workspace.answer(question, task: task, dim: dim ?? workspace.engine.fullDimension).answer
        }
    }
}

/// Runs `body`, turning library errors into one-line CLI errors.
func cliErrors<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let error as CLIError { throw error } catch let error as CancellationError {
        throw error
    } catch {
        throw CLIError("\(error)")
    }
}

func cliErrors<T>(_ body: () async throws -> T) async throws -> T {
    do { return try await body() } catch let error as CLIError { throw error } catch let error as CancellationError {
        throw error
    } catch {
        throw CLIError("\(error)")
    }
}
