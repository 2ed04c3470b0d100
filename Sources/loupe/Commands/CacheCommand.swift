import ArgumentParser
import Foundation
import Corpus

/// `loupe cache stats|clear`: the persistent embedding cache.
struct CacheCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache",
        abstract: "Inspect or clear the embedding cache (${LOUPE_HOME:-~/.cache/loupe}/cache.sqlite).",
        subcommands: [Stats.self, Clear.self],
        defaultSubcommand: Stats.self)

    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "stats", abstract: "Entries and size, per model and task.")

        @Flag(name: .long, help: "Print one JSON object on stdout.")
        var json = false

        func run() async throws {
            let stats = try cliErrors { try EmbeddingCache.open(directory: EmbeddingCache.defaultDirectory()).stats() }
            if json {
                let groups: [[String: Any]] = stats.groups.map {
                    ["model": $0.model, "fingerprint": $0.fingerprint, "task": $0.task ?? NSNull(),
                     "dimension": $0.dimension, "entries": $0.entries]
                }
                let object: [String: Any] = ["path": stats.path, "entries": stats.entries, "bytes": stats.bytes, "groups": groups]
                let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
                print(String(decoding: data, as: UTF8.self))
                return
            }
            print("cache: \(stats.path)")
            print("size: \(ByteCountFormatter.string(fromByteCount: stats.bytes, countStyle: .file))")
            print("entries: \(stats.entries)")
            for g in stats.groups {
                print("  \(g.model) [\(g.fingerprint.prefix(12))]  task \(g.task ?? "none")  dim \(g.dimension)  \(g.entries)")
            }
        }
    }

    struct Clear: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "clear", abstract: "Delete every cached embedding.")

        func run() async throws {
            let directory = EmbeddingCache.defaultDirectory()
            do {
                let cache = try EmbeddingCache.open(directory: directory)
                let count = try cache.stats().entries
                try cache.clear()
                print("cleared \(count) entr\(count == 1 ? "y" : "ies") from \(cache.url.path)")
            } catch let error as CacheError {
                // Too damaged to open or to delete from: remove the files and start over.
                try cliErrors { try EmbeddingCache.remove(directory: directory) }
                print("the cache could not be cleared in place (\(error)); removed its files from \(directory.path)")
            }
        }
    }
}
