import ArgumentParser
import Foundation

// PLACEHOLDER — replaced by the implementation of `loupe tokenize`.
struct TokenizeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tokenize", abstract: "(not implemented yet)")
    func run() async throws { throw CLIError("loupe tokenize is not implemented yet") }
}
