import Foundation

/// What a key does. Small actions, one table (htop's Action.c): the table below drives both
/// key handling and the `?` help overlay, so the help can never lie about the keys.
public enum Action: Equatable, Sendable {
    case switchView(ViewID)
    case quit, help, taskPicker, dimDown, dimUp
    case focusNext, leave
    case up, down, left, right, pageUp, pageDown, top, bottom
    case open, back, delete, focusInput
    // text fields
    case submit, cursorHome, cursorEnd, deleteWord, deleteToStart, historyPrevious, historyNext
    // view commands
    case addToMatrix, showNeighbours
    case kUp, kDown, autoK
    case thresholdUp, thresholdDown, markKeep, markDrop, writeDropList
    case nextTaskA, nextTaskB, toggleCompareMode, nextMetric, nextStorage
}

/// When a binding applies.
public enum Scope: Equatable, Sendable {
    /// Always (even while typing in a field).
    case anywhere
    /// While a text field has focus (editing keys).
    case field
    /// When no text field has focus, in every view.
    case commands
    /// When no text field has focus, in one view.
    case view(ViewID)
}

public struct KeyBinding: Sendable {
    public var keys: [Key]
    /// How the help shows the keys ("F1–F7", "Ctrl-W").
    public var label: String
    public var action: Action
    public var scope: Scope
    public var help: String
    /// A one- or two-word label for the footer's key hints (nil = not shown there).
    public var hint: String?
    public init(_ keys: [Key], _ label: String, _ action: Action, _ scope: Scope, _ help: String, hint: String? = nil) {
        self.keys = keys; self.label = label; self.action = action; self.scope = scope; self.help = help; self.hint = hint
    }
}

public enum Keymap {
    public static let bindings: [KeyBinding] = {
        var b: [KeyBinding] = []
        for v in ViewID.allCases {
            b.append(KeyBinding([.f(v.rawValue)], "F\(v.rawValue)", .switchView(v), .anywhere, "show \(v.title)"))
        }
        b += [
            KeyBinding([.ctrl("c")], "Ctrl-C", .quit, .anywhere, "quit"),
            KeyBinding([.esc], "Esc", .leave, .anywhere, "leave the text field / close"),
            KeyBinding([.tab, .backTab], "Tab", .focusNext, .anywhere, "move focus (field ⇄ list)"),
            // text fields
            KeyBinding([.enter], "Enter", .submit, .field, "run / add the text"),
            KeyBinding([.home, .ctrl("a")], "Home", .cursorHome, .field, "start of line"),
            KeyBinding([.end, .ctrl("e")], "End", .cursorEnd, .field, "end of line"),
            KeyBinding([.ctrl("w")], "Ctrl-W", .deleteWord, .field, "delete the word before the cursor"),
            KeyBinding([.ctrl("u")], "Ctrl-U", .deleteToStart, .field, "delete to the start of the line"),
            KeyBinding([.up], "↑", .historyPrevious, .field, "previous entry in the history"),
            KeyBinding([.down], "↓", .historyNext, .field, "next entry in the history"),
        ]
        for v in ViewID.allCases {
            b.append(KeyBinding([.char(Character(String(v.rawValue)))], "\(v.rawValue)", .switchView(v), .commands,
                                "show \(v.title)"))
        }
        b += [
            KeyBinding([.char("t")], "t", .taskPicker, .commands, "choose the task (adapter)", hint: "task"),
            KeyBinding([.char("[")], "[", .dimDown, .commands, "smaller dimension (Matryoshka)", hint: "dim−"),
            KeyBinding([.char("]")], "]", .dimUp, .commands, "larger dimension", hint: "dim+"),
            KeyBinding([.char("?")], "?", .help, .commands, "this help", hint: "help"),
            KeyBinding([.char("q")], "q", .quit, .commands, "quit", hint: "quit"),
            KeyBinding([.up, .char("k")], "↑ k", .up, .commands, "move up"),
            KeyBinding([.down, .char("j")], "↓ j", .down, .commands, "move down"),
            KeyBinding([.pageUp], "PgUp", .pageUp, .commands, "page up"),
            KeyBinding([.pageDown], "PgDn", .pageDown, .commands, "page down"),
            KeyBinding([.home, .char("g")], "Home g", .top, .commands, "first row"),
            KeyBinding([.end, .char("G")], "End G", .bottom, .commands, "last row"),
            // Search
            KeyBinding([.char("/")], "/", .focusInput, .view(.search), "edit the query", hint: "query"),
            KeyBinding([.enter], "Enter", .open, .view(.search), "open the result", hint: "open"),
            KeyBinding([.char("a")], "a", .addToMatrix, .view(.search), "add the result to the matrix list", hint: "→matrix"),
            KeyBinding([.char("n")], "n", .showNeighbours, .view(.search), "neighbours of the result", hint: "neighbours"),
            // Matrix
            KeyBinding([.char("i"), .char("/")], "i /", .focusInput, .view(.matrix), "type a text to add", hint: "add text"),
            KeyBinding([.left, .char("h")], "← h", .left, .view(.matrix), "cursor left"),
            KeyBinding([.right, .char("l")], "→ l", .right, .view(.matrix), "cursor right"),
            KeyBinding([.char("d"), .delete], "d", .delete, .view(.matrix), "delete the text of the cursor row", hint: "delete"),
            // Neighbours
            KeyBinding([.enter], "Enter", .open, .view(.neighbours), "walk: make the neighbour the focus", hint: "walk"),
            KeyBinding([.backspace], "Bksp", .back, .view(.neighbours), "back to the previous focus", hint: "back"),
            KeyBinding([.char("a")], "a", .addToMatrix, .view(.neighbours), "add the neighbour to the matrix list"),
            // Clusters
            KeyBinding([.char("+"), .char("=")], "+", .kUp, .view(.clusters), "one more cluster", hint: "k+"),
            KeyBinding([.char("-")], "-", .kDown, .view(.clusters), "one cluster less", hint: "k−"),
            KeyBinding([.char("a")], "a", .autoK, .view(.clusters), "choose k automatically", hint: "auto k"),
            // Duplicates
            KeyBinding([.char("+"), .char("=")], "+", .thresholdUp, .view(.duplicates), "raise the threshold", hint: "threshold+"),
            KeyBinding([.char("-")], "-", .thresholdDown, .view(.duplicates), "lower the threshold", hint: "threshold−"),
            KeyBinding([.char("K"), .char(" ")], "K Space", .markKeep, .view(.duplicates), "mark keep", hint: "keep"),
            KeyBinding([.char("x"), .char("d")], "x d", .markDrop, .view(.duplicates), "mark drop", hint: "drop"),
            KeyBinding([.char("w")], "w", .writeDropList, .view(.duplicates), "write the drop list to a file", hint: "write list"),
            KeyBinding([.enter], "Enter", .open, .view(.duplicates), "read the whole member"),
            // Map
            KeyBinding([.left, .char("h")], "← h", .left, .view(.map), "cursor left"),
            KeyBinding([.right, .char("l")], "→ l", .right, .view(.map), "cursor right"),
            KeyBinding([.enter], "Enter", .showNeighbours, .view(.map), "neighbours of the point", hint: "neighbours"),
            // Adapters
            KeyBinding([.char("a")], "a", .nextTaskA, .view(.adapters), "next task A", hint: "task A"),
            KeyBinding([.char("b")], "b", .nextTaskB, .view(.adapters), "next task B", hint: "task B"),
            KeyBinding([.char("m")], "m", .toggleCompareMode, .view(.adapters),
                       "compare tasks ⇄ dimensions (⇄ evaluation with --eval)", hint: "mode"),
            KeyBinding([.char("e")], "e", .nextMetric, .view(.adapters), "evaluation: next metric", hint: "metric"),
            KeyBinding([.char("s")], "s", .nextStorage, .view(.adapters), "evaluation: float32 → int8 → binary storage"),
        ]
        return b
    }()

    /// The action of `key` in `state`, or nil (then a focused field inserts printable characters).
    public static func action(for key: Key, in state: AppState) -> Action? {
        let typing = state.textFieldFocused
        func matches(_ b: KeyBinding) -> Bool {
            guard b.keys.contains(key) else { return false }
            switch b.scope {
            case .anywhere: return true
            case .field: return typing
            case .commands: return !typing
            case .view(let v): return !typing && v == state.view
            }
        }
        // View bindings shadow the generic command ones (Enter, ←/→ mean different things per view).
        let order: [Scope?] = [.anywhere, .field, .view(state.view), .commands]
        for scope in order {
            if let b = bindings.first(where: { $0.scope == scope && matches($0) }) { return b.action }
        }
        return nil
    }

    /// Bindings listed by the help overlay for `view`: the view's, field editing, then the global ones.
    public static func help(for view: ViewID) -> [(section: String, bindings: [KeyBinding])] {
        func list(_ scope: Scope) -> [KeyBinding] {
            bindings.filter { b in
                if case .switchView = b.action { return false }
                return b.scope == scope
            }
        }
        let global = [KeyBinding([], "F1–F7", .switchView(.search), .anywhere, "switch view (from anywhere)")]
            + list(.anywhere)
        let commands = [KeyBinding([], "1–7", .switchView(.search), .commands, "switch view (no text field focused)")]
            + list(.commands)
        // The view's own keys first: they are what a person opening the help here looks for.
        var sections: [(section: String, bindings: [KeyBinding])] = [(view.title, list(.view(view)))]
        if AppState().hasField(view) { sections.append(("Text field", list(.field))) }
        sections += [("Everywhere", global), ("Commands", commands)]
        return sections
    }

    /// Footer hints for the current state: the view's hinted keys, then the global ones.
    public static func hints(for state: AppState) -> [(key: String, help: String)] {
        if state.textFieldFocused {
            return [("Enter", state.view == .search ? "search" : "add"), ("Esc", "leave field"), ("Tab", "list"),
                    ("F1–F7", "views"), ("Ctrl-C", "quit")]
        }
        let view = bindings.filter { $0.scope == .view(state.view) }.compactMap { b in b.hint.map { (b.label, $0) } }
        let global = bindings.filter { $0.scope == .commands }.compactMap { b in b.hint.map { (b.label, $0) } }
        return view + global
    }
}
