import Foundation

/// Where the model came from and why it was chosen (printed on stderr).
public struct ResolvedModel: Sendable {
    public var directory: URL
    public var reason: String
    public init(directory: URL, reason: String) { self.directory = directory; self.reason = reason }
}

public enum ModelLocator {
    /// `--model DIR`, then `$LOUPE_MODEL`, then a jina-embeddings-v3 snapshot in the HF cache
    /// (`HubCache(environment:)`: `$HF_HUB_CACHE` or `${HF_HOME:-~/.cache/huggingface}/hub`),
    /// then the default all-MiniLM-L6-v2 under `${LOUPE_HOME:-~/.cache/loupe}/models/`.
    public static func resolve(explicit: String?, environment: [String: String]) throws -> ResolvedModel {
        let fm = FileManager.default
        let expand = HubCache.expand
        func isModel(_ u: URL) -> Bool {
            fm.fileExists(atPath: u.appendingPathComponent("config.json").path)
                && fm.fileExists(atPath: u.appendingPathComponent("model.safetensors").path)
        }
        if let explicit, !explicit.isEmpty {
            let u = expand(explicit)
            guard isModel(u) else {
                throw ModelError.missingFile("\(u.path): no config.json + model.safetensors there (check --model)")
            }
            return ResolvedModel(directory: u, reason: "--model")
        }
        if let env = environment["LOUPE_MODEL"], !env.isEmpty {
            let u = expand(env)
            guard isModel(u) else {
                throw ModelError.missingFile("\(u.path): no config.json + model.safetensors there (check $LOUPE_MODEL)")
            }
            return ResolvedModel(directory: u, reason: "$LOUPE_MODEL")
        }
        let hub = HubCache(environment: environment), jina = "jinaai/jina-embeddings-v3"
        let snapshots = hub.snapshots(jina)
        if let revs = try? fm.contentsOfDirectory(atPath: snapshots.path) {
            // Prefer the revision named in refs/main, else the most recently modified complete one.
            let refMain = hub.readRef(jina, revision: "main")
            let candidates = revs.map { snapshots.appendingPathComponent($0) }.filter(isModel)
            let mtime: (URL) -> Date = {
                ((try? fm.attributesOfItem(atPath: $0.path))?[.modificationDate] as? Date) ?? .distantPast
            }
            if let best = candidates.first(where: { $0.lastPathComponent == refMain })
                ?? candidates.max(by: { mtime($0) < mtime($1) }) {
                return ResolvedModel(directory: best, reason: "jina-embeddings-v3 found in the Hugging Face cache")
            }
        }
        let loupeHome = environment["LOUPE_HOME"].flatMap { $0.isEmpty ? nil : expand($0) }
            ?? HubCache.userHome(environment).appendingPathComponent(".cache/loupe")
        let def = loupeHome.appendingPathComponent("models/all-MiniLM-L6-v2")
        guard isModel(def) else {
            throw ModelError.missingFile("no model found: pass --model DIR, set $LOUPE_MODEL, run " +
                                         "`loupe fetch jinaai/jina-embeddings-v3`, or run `make model` " +
                                         "for the default all-MiniLM-L6-v2 (expected at \(def.path))")
        }
        return ResolvedModel(directory: def, reason: "default model (no --model, $LOUPE_MODEL or jina-v3 in the HF cache)")
    }
}
