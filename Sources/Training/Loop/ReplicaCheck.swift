import Collectives

/// Checks the invariant that every rank holds the same replica: each rank hashes its weights and
/// optimizer state, and every hash is compared with rank 0's (all ranks, not only rank 0's view).
public enum ReplicaCheck {
    /// A 64-bit hash of the buffers' bits: four independent FNV-style lanes over 64-bit words, so
    /// it runs near memory speed; any differing bit changes it with overwhelming probability.
    public static func hash(_ buffers: [UnsafeMutableBufferPointer<Float>]) -> UInt64 {
        var lanes: (UInt64, UInt64, UInt64, UInt64) = (0xcbf2_9ce4_8422_2325, 0x9e37_79b9_7f4a_7c15, 0xbf58_476d_1ce4_e5b9, 0x94d0_49bb_1331_11eb)
        let prime: UInt64 = 0x0000_0100_0000_01b3
        for buffer in buffers {
            let raw = UnsafeRawBufferPointer(buffer)
            let words = raw.count / 8
            var i = 0
            while i + 4 <= words {
                lanes.0 = (lanes.0 ^ raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)) &* prime
                lanes.1 = (lanes.1 ^ raw.loadUnaligned(fromByteOffset: (i + 1) * 8, as: UInt64.self)) &* prime
                lanes.2 = (lanes.2 ^ raw.loadUnaligned(fromByteOffset: (i + 2) * 8, as: UInt64.self)) &* prime
                lanes.3 = (lanes.3 ^ raw.loadUnaligned(fromByteOffset: (i + 3) * 8, as: UInt64.self)) &* prime
                i += 4
            }
            for j in (i * 8)..<raw.count { lanes.0 = (lanes.0 ^ UInt64(raw[j])) &* prime }
            lanes.1 = (lanes.1 ^ UInt64(raw.count)) &* prime
        }
        return lanes.0 ^ (lanes.1 &* 3) ^ (lanes.2 &* 5) ^ (lanes.3 &* 7)
    }

    /// Compares every rank's hash with rank 0's. Returns the number of identical replicas (the
    /// world size), or throws the same `RankFailure` on every rank, naming the ranks that differ.
    public static func verify(_ buffers: [UnsafeMutableBufferPointer<Float>], step: Int, comm: Communicator) throws -> Int {
        guard comm.size > 1 else { return 1 }
        let mine = hash(buffers)
        let root = try comm.broadcast(mine, root: 0)
        let flags = UnsafeMutableBufferPointer<Int64>.allocate(capacity: comm.size)
        defer { flags.deallocate() }
        flags.initialize(repeating: 0)
        flags[comm.rank] = mine == root ? 0 : 1
        try comm.allReduceMax(flags)
        let differing = flags.indices.filter { flags[$0] != 0 }
        guard differing.isEmpty else {
            throw RankFailure(rank: 0, message: "after step \(step) the weights or optimizer state of rank\(differing.count == 1 ? "" : "s") \(differing.map(String.init).joined(separator: ", ")) differ from rank 0's; the replicas diverged (a hardware fault, or ranks running different builds or libraries); stopping without saving, resume from the last checkpoint with --resume")
        }
        return comm.size
    }
}
