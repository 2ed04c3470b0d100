import ArgumentParser
import Foundation

// PLACEHOLDER — replaced by the implementation of `loupe similarity`.
struct SimilarityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "similarity", abstract: "(not implemented yet)")
    func run() async throws { throw CLIError("loupe similarity is not implemented yet") }
}
