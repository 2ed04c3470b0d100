import ArgumentParser
import Foundation

// PLACEHOLDER — replaced by the implementation of `loupe embed`.
struct EmbedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "embed", abstract: "(not implemented yet)")
    func run() async throws { throw CLIError("loupe embed is not implemented yet") }
}
