import RunConfig
import Testing
import Training

/// Each rank's OpenBLAS thread count from the node's cores and the ranks on it.
@Suite struct ThreadChoiceTests {
    func choose(_ env: [String: String], cores: Int = 2, allowed: Int? = nil) -> ThreadChoice {
        ThreadChoice.choose(environment: env, nodeCores: cores, allowedCores: allowed ?? cores)
    }

    @Test func withoutMPIOneProcessTakesEveryCore() {
        let c = choose([:], cores: 8)
        #expect(c.threads == 8)
        #expect(c.warning == nil)
    }

    @Test func ranksShareTheirNodesCores() {
        #expect(choose(["OMPI_COMM_WORLD_LOCAL_SIZE": "2"]).threads == 1)
        #expect(choose(["OMPI_COMM_WORLD_LOCAL_SIZE": "4"], cores: 16).threads == 4)
        #expect(choose(["OMPI_COMM_WORLD_LOCAL_SIZE": "3"], cores: 16).threads == 5)
        #expect(choose(["MPI_LOCALNRANKS": "2"], cores: 8).threads == 4)
        #expect(choose(["OMPI_COMM_WORLD_LOCAL_SIZE": "4"], cores: 16).warning == nil)
    }

    @Test func theEnvironmentsCountIsKeptAndOversubscriptionIsNamed() {
        let c = choose(["OPENBLAS_NUM_THREADS": "2", "OMPI_COMM_WORLD_LOCAL_SIZE": "8"])
        #expect(c.threads == 2)
        #expect(c.warning?.contains("8 ranks × 2 threads = 16 threads for 8 ranks on a node with 2 cores") == true)
        #expect(choose(["OMP_NUM_THREADS": "3"]).threads == 3)
        #expect(choose(["OPENBLAS_NUM_THREADS": "1", "OMPI_COMM_WORLD_LOCAL_SIZE": "2"]).warning == nil)
    }

    @Test func moreRanksThanCoresGetOneThreadAndAWarning() {
        let c = choose(["OMPI_COMM_WORLD_LOCAL_SIZE": "8"])
        #expect(c.threads == 1)
        #expect(c.warning?.contains("start at most 2 ranks per node") == true)
    }

    @Test func aRankBoundToOneCoreUsesOneThreadAndSaysWhy() {
        let c = choose(["OMPI_COMM_WORLD_LOCAL_SIZE": "1"], cores: 4, allowed: 1)
        #expect(c.threads == 1)
        #expect(c.warning?.contains("--bind-to none") == true)
    }

    @Test func nonsenseCountsAreIgnored() {
        #expect(choose(["OPENBLAS_NUM_THREADS": "zero", "OMPI_COMM_WORLD_LOCAL_SIZE": "2"], cores: 4).threads == 2)
        #expect(choose(["OPENBLAS_NUM_THREADS": "0"], cores: 4).threads == 4)
        #expect(choose(["OPENBLAS_NUM_THREADS": ""], cores: 4).threads == 4)
    }
}
