/// One BPE merge rule: the adjacent tokens `left` and `right` become one new token.
public struct BPEMerge: Hashable, Sendable {
    /// The id of the first token of the pair.
    public var left: Int32
    /// The id of the second token of the pair.
    public var right: Int32

    /// Makes a merge of the pair (`left`, `right`).
    public init(left: Int32, right: Int32) {
        self.left = left
        self.right = right
    }

    /// Packs the pair into one dictionary key; ids are non-negative, so this is injective.
    @inlinable
    var key: UInt64 { UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right)) }
}
