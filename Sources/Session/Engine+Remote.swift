import Corpus
import Foundation
import JinaEmbeddings
import RemoteEncoders
import Tokenizers

/// `--endpoint URL …`: the engine's encoder is a pool of remote endpoints (RemoteEncoders) instead of a
/// local model; the cache, the Indexer and every question stay here.
extension Engine {
    static func openRemote(_ options: EngineOptions, note: @escaping @Sendable (SessionNote) -> Void) async throws -> Engine {
        if options.synthetic != nil { throw SessionError.options("use either --synthetic or --endpoint, not both") }
        if let n = options.maxLength {
            throw SessionError.options("--max-length \(n) cannot be applied by remote endpoints (each truncates at its own "
                                       + "maximum); start `loupe serve` with --max-length \(n) instead")
        }
        if (try options.resolvedPrecision()) != .exact {
            note(.notice("the precision is a local setting: the endpoints compute as they were started (loupe serve --precision)"))
        }
        let cache = openCache(options, note: note)
        let pool = try await RemoteEncoderPool.connect(
            options.remote, environment: options.environment,
            localTokenizer: { localTokenizer(for: $0, options: options, note: note) },
            applyPrefix: options.applyPrefix,
            identity: { description in try identity(of: description, cache: cache, note: note) })
        for n in pool.notes { note(n.isWarning ? .warning(n.text) : .notice(n.text)) }
        return Engine(encoder: pool, applyPrefix: options.applyPrefix, cache: cache)
    }

    /// What a chunked corpus (`--chunk-tokens`) loses on this engine, if anything: endpoints that cannot
    /// late-chunk embed each chunk on its own.
    public var lateChunkingNote: String? { (encoder as? RemoteEncoderPool)?.lateChunkingNote }

    /// The cache fingerprint of the endpoints' vectors: the identity the cache already knows for this
    /// model (same signature, probe within `RemoteIdentity.tolerance`), else a new one (see RemoteIdentity).
    static func identity(of d: EndpointDescription, cache: EmbeddingCache?,
                         note: @Sendable (SessionNote) -> Void) throws -> String {
        guard let cache else { return RemoteIdentity.newIdentity(d) }
        do {
            return try cache.remoteModelIdentity(
                signature: RemoteIdentity.signature(d), probe: d.probe,
                accept: { RemoteIdentity.maxDifference($0, d.probe) <= RemoteIdentity.tolerance },
                newIdentity: { RemoteIdentity.newIdentity(d) })
        } catch {
            note(.warning("\(error); the endpoints' vectors are cached under a new name"))
            return RemoteIdentity.newIdentity(d)
        }
    }

    /// The tokenizer of the endpoints' model, when it is here: `--model DIR` given alongside, else a
    /// snapshot of the model in the Hugging Face cache (`loupe fetch`), else the default MiniLM when
    /// that is what the endpoints serve.
    static func localTokenizer(for modelID: String, options: EngineOptions,
                               note: @Sendable (SessionNote) -> Void) -> Tokenizer? {
        var directories: [URL] = []
        if let explicit = options.model {
            directories = [URL(fileURLWithPath: (explicit as NSString).expandingTildeInPath)]
        } else {
            let hub = HubCache(environment: options.environment)
            let name = modelID.split(separator: "/").last.map(String.init) ?? modelID
            let repos = modelID.contains("/") ? [modelID] : ["jinaai/\(modelID)", "sentence-transformers/\(modelID)"]
            for repo in repos {
                let snapshots = hub.snapshots(repo)
                let revisions = (try? FileManager.default.contentsOfDirectory(atPath: snapshots.path)) ?? []
                let main = hub.readRef(repo, revision: "main")
                for revision in revisions.sorted(by: { ($0 == main ? 0 : 1) < ($1 == main ? 0 : 1) }) {  // refs/main first
                    directories.append(snapshots.appendingPathComponent(revision))
                }
            }
            if name == "all-MiniLM-L6-v2" {
                directories.append(EmbeddingCache.defaultDirectory(environment: options.environment)
                    .appendingPathComponent("models/all-MiniLM-L6-v2"))
            }
        }
        for directory in directories {
            let file = directory.appendingPathComponent("tokenizer.json")
            guard FileManager.default.fileExists(atPath: file.path) else { continue }
            do {
                let tokenizer = try Tokenizer(contentsOf: file)
                note(.notice("token spans: the tokenizer in \(directory.path)"))
                return tokenizer
            } catch {
                note(.warning("cannot read \(file.path) (\(error)); token spans come from elsewhere"))
            }
        }
        if let explicit = options.model { note(.warning("\(explicit) has no tokenizer.json to lend the endpoints")) }
        return nil
    }
}
