import Foundation

// PLACEHOLDER — replaced by the tokenizer implementation.
struct TokenizerPipeline: Sendable {
    init(data: Data, path: String) throws { throw TokenizerError.invalidModel("not implemented yet") }
    func encode(_ text: String, addSpecialTokens: Bool, options: TruncationPadding) -> Encoding { Encoding() }
    var fileDefaults: TruncationPadding { TruncationPadding() }
    var vocabularySize: Int { 0 }
    func id(forToken token: String) -> Int32? { nil }
    func token(forID id: Int32) -> String? { nil }
    var padID: Int32 { 0 }
}
