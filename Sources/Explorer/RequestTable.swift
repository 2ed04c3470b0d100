import Foundation

/// What a view knows about its data: the request it waits for (at most one) and the generation of
/// the state its data was computed for (`AppState.generation` moves on with a new index or dimension).
public struct RequestSlot: Equatable, Sendable {
    public var pending: Int?
    /// -1: never computed, or marked stale.
    public var generation = -1
    public init(pending: Int? = nil, generation: Int = -1) { self.pending = pending; self.generation = generation }
}

/// One request slot per view. Every analysis request has a fresh id; a view remembers the id it waits
/// for, so an answer to an older request (superseded or cancelled) finds no slot and is dropped.
public struct RequestTable: Equatable, Sendable {
    private var slots: [ViewID: RequestSlot] = [:]
    public init() {}

    public subscript(view: ViewID) -> RequestSlot {
        get { slots[view] ?? RequestSlot() }
        set { slots[view] = newValue }
    }

    /// The view waiting for request `id`, if any.
    public func view(waitingFor id: Int) -> ViewID? {
        ViewID.allCases.first { slots[$0]?.pending == id }
    }

    /// Every pending id, in view order.
    public var pendingIDs: [Int] { ViewID.allCases.compactMap { slots[$0]?.pending } }

    /// Marks a view's data stale, so it is recomputed the next time the view is shown.
    public mutating func invalidate(_ view: ViewID) { self[view].generation = -1 }
}
