import Testing
import TaskEvaluation

/// CPython's random.Random, bit for bit, against values Python printed (reference/make_task_fixtures.py).
@Suite struct PythonRandomTests {
    @Test func getrandbitsMatchesCPythonForSeveralSeeds() throws {
        let fixture = try fixtureJSON("python_random.json") as! [String: Any]
        let bits = fixture["bits"] as! [String: [Int]]
        #expect(bits.count == 4)
        for (seed, expected) in bits {
            var random = PythonRandom(seed: Int(seed)!)
            #expect((0..<expected.count).map { _ in Int(random.randomBits(32)) } == expected, "seed \(seed)")
        }
    }

    @Test func sampleMatchesCPythonOnBothOfItsPaths() throws {
        // Small pools take the pool-swap path, large ones the rejection-set path; one generator runs through all.
        let fixture = try fixtureJSON("python_random.json") as! [String: Any]
        let samples = fixture["samples"] as! [[String: Any]]
        var random = PythonRandom(seed: 1234)
        for sample in samples {
            let n = sample["n"] as! Int, k = sample["k"] as! Int
            #expect(random.sample(count: n, k) == sample["result"] as! [Int], "sample(range(\(n)), \(k))")
        }
    }
}
