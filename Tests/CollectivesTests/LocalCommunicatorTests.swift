import Collectives
import Testing

@Suite struct LocalCommunicatorTests {
    @Test func worldOfOneLeavesValuesUnchanged() throws {
        let comm = LocalCommunicator()
        #expect(comm.rank == 0 && comm.size == 1 && comm.isRoot)
        var values: [Float] = [1, 2, 3]
        try values.withUnsafeMutableBufferPointer { try comm.allReduceSum($0) }
        #expect(values == [1, 2, 3])
        #expect(try comm.sum([1.5, 2.5]) == [1.5, 2.5])
        #expect(try comm.broadcast(bytes: [7, 8]) == [7, 8])
    }
}
