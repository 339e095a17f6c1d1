import Foundation
import RunConfig
import Training

/// The config parser: JSON text, then `--set` overrides.
enum ConfigFuzzing {
    /// Decodes the JSON before the first NUL with the NUL-separated parts after it as overrides; an
    /// accepted config must survive its canonical encoding and have a memory estimate.
    static func config(_ input: Data) -> FuzzOutcome {
        let (json, parts) = input.splitAtNUL()
        let overrides = parts.map { String(decoding: $0, as: UTF8.self) }
        do {
            let config = try ConfigLoader.decode(json, source: "config.json", overrides: overrides)
            var checks = Checks()
            let again = try? ConfigLoader.decode(ConfigLoader.canonicalJSON(config), source: "canonical config")
            checks.expect(again == config, "the canonical JSON does not decode to the same config")
            let estimate = try? MemoryRequirement(config: config)
            checks.expect((estimate?.totalBytes ?? 0) > 0, "a validated config has no memory estimate")
            return checks.outcome("\(config.model), \(estimate?.totalBytes ?? 0) bytes per rank")
        } catch {
            return .rejected(error.description)
        }
    }
}
