import ArgumentParser
import Foundation

// PLACEHOLDER — replaced by the implementation of `loupe explore`.
struct ExploreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "explore", abstract: "(not implemented yet)")
    func run() async throws { throw CLIError("loupe explore is not implemented yet") }
}
