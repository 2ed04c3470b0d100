import ArgumentParser
import Foundation

@main
struct Loupe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loupe",
        abstract: "Explore text embeddings (jina-embeddings-v3 and BERT-family models) in the terminal.",
        subcommands: [
            ExploreCommand.self, TokenizeCommand.self, EmbedCommand.self, IndexCommand.self,
            CacheCommand.self, SimilarityCommand.self, SearchCommand.self, NeighboursCommand.self,
            ClusterCommand.self, DedupCommand.self, CompareCommand.self, EvalCommand.self, BenchCommand.self,
            FetchCommand.self, ServeCommand.self,
        ],
        defaultSubcommand: ExploreCommand.self)
}
