import Foundation

/// A one-line text field with a cursor and history (readline-like editing), in graphemes.
public struct TextField: Equatable, Sendable {
    public private(set) var characters: [Character] = []
    /// Insertion point, 0...characters.count.
    public private(set) var cursor = 0
    public private(set) var history: [String] = []
    /// Position while browsing history (nil = editing a new line).
    private var historyIndex: Int?
    private var draft: [Character] = []

    public init(_ text: String = "") { set(text) }

    public var text: String { String(characters) }

    public mutating func set(_ text: String) {
        characters = Array(text); cursor = characters.count; historyIndex = nil
    }

    public mutating func insert(_ c: Character) {
        characters.insert(c, at: cursor); cursor += 1; historyIndex = nil
    }
    public mutating func backspace() {
        guard cursor > 0 else { return }
        characters.remove(at: cursor - 1); cursor -= 1
    }
    public mutating func deleteForward() {
        guard cursor < characters.count else { return }
        characters.remove(at: cursor)
    }
    public mutating func left() { cursor = max(0, cursor - 1) }
    public mutating func right() { cursor = min(characters.count, cursor + 1) }
    public mutating func home() { cursor = 0 }
    public mutating func end() { cursor = characters.count }

    /// Ctrl-W: delete the word before the cursor (and the spaces before it).
    public mutating func deleteWord() {
        var i = cursor
        while i > 0 && characters[i - 1] == " " { i -= 1 }
        while i > 0 && characters[i - 1] != " " { i -= 1 }
        characters.removeSubrange(i..<cursor); cursor = i
    }
    /// Ctrl-U: delete from the start of the line to the cursor.
    public mutating func deleteToStart() {
        characters.removeSubrange(0..<cursor); cursor = 0
    }

    /// Puts `lines` before the history (e.g. the queries of an evaluation set), so ↑ walks them.
    public mutating func preload(history lines: [String]) {
        history = lines.filter { !$0.isEmpty } + history
        historyIndex = nil
    }

    /// Remembers the current text in the history (no empty lines, no immediate repeats).
    public mutating func commit() {
        let t = text.trimmingCharacters(in: .whitespaces)
        if !t.isEmpty && history.last != t { history.append(t) }
        historyIndex = nil
    }

    public mutating func historyPrevious() {
        guard !history.isEmpty else { return }
        if historyIndex == nil { draft = characters; historyIndex = history.count }
        guard let i = historyIndex, i > 0 else { return }
        historyIndex = i - 1
        characters = Array(history[i - 1]); cursor = characters.count
    }
    public mutating func historyNext() {
        guard let i = historyIndex else { return }
        if i + 1 < history.count {
            historyIndex = i + 1; characters = Array(history[i + 1])
        } else {
            historyIndex = nil; characters = draft
        }
        cursor = characters.count
    }

    /// The visible slice for a field `width` columns wide, scrolled so the cursor shows,
    /// and the cursor's column inside it.
    public func visible(width: Int) -> (text: String, cursorColumn: Int) {
        guard width > 1 else { return ("", 0) }
        var start = 0
        func widthBetween(_ a: Int, _ b: Int) -> Int { characters[a..<b].reduce(0) { $0 + DisplayWidth.of($1) } }
        while widthBetween(start, cursor) > width - 1 { start += 1 }
        var out = ""
        var w = 0
        for c in characters[start...] {
            let cw = DisplayWidth.of(c)
            if w + cw > width { break }
            out.append(c); w += cw
        }
        return (out, widthBetween(start, cursor))
    }
}
