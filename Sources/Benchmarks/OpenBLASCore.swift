import Foundation

/// Chooses OpenBLAS's kernel family (OPENBLAS_CORETYPE) from what the CPU supports.
///
/// Some environments force `OPENBLAS_CORETYPE=Haswell`, which runs AVX2 kernels at half the
/// sgemm rate on AVX-512 CPUs. The variable is read when libopenblas loads, so a process can
/// only change it for a child (or by re-executing itself).
public enum OpenBLASCore {
    /// The best core name OpenBLAS 0.3.21 accepts for a CPU with these /proc/cpuinfo flags:
    /// Cooperlake (AVX-512 + BF16), SkylakeX (AVX-512 F/BW/VL), Haswell (AVX2), or nil.
    public static func best(flags: Set<Substring>) -> String? {
        if flags.isSuperset(of: ["avx512f", "avx512bw", "avx512vl"]) {
            return flags.contains("avx512_bf16") ? "Cooperlake" : "SkylakeX"
        }
        return flags.contains("avx2") ? "Haswell" : nil
    }

    /// The best core for this machine, from /proc/cpuinfo (nil when it cannot be read).
    public static var bestForThisCPU: String? {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return nil }
        return best(flags: Set(line.split(separator: " ")))
    }

    /// The OPENBLAS_CORETYPE to run with when the environment forces a weaker one, else nil.
    /// `TRAINER_KEEP_CORETYPE=1` keeps whatever is set (for builds known to misbehave).
    public static func override(environment: [String: String]) -> String? {
        guard let forced = environment["OPENBLAS_CORETYPE"], !forced.isEmpty,
              environment["TRAINER_KEEP_CORETYPE"] != "1",
              let best = bestForThisCPU, forced.lowercased() != best.lowercased() else { return nil }
        return best
    }
}
