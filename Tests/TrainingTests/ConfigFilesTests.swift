import Foundation
import RunConfig
import Testing

/// The bundled configs load, and hold only what differs from the defaults (issue 21, item 6): a
/// setting repeated word for word hides which ones the config really chooses, and goes stale when
/// a default changes.
@Suite struct ConfigFilesTests {
    static let configs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("configs")

    /// Every training config (sweep files, which have a "base", are not run configs).
    static func runConfigs() throws -> [(name: String, object: [String: Any])] {
        try FileManager.default.contentsOfDirectory(atPath: configs.path).filter { $0.hasSuffix(".json") }.sorted().compactMap { name in
            let object = try JSONSerialization.jsonObject(with: Data(contentsOf: configs.appendingPathComponent(name))) as! [String: Any]
            return object["base"] == nil ? (name, object) : nil
        }
    }

    /// Pre-training configs load as they are (fine-tuning ones take their model from the
    /// checkpoint they start from; FinetuneTests run those).
    @Test func everyPretrainingConfigLoads() throws {
        for (name, object) in try Self.runConfigs() where object["finetune"] == nil {
            #expect(throws: Never.self, "\(name)") { try ConfigLoader.load(path: Self.configs.appendingPathComponent(name).path) }
        }
    }

    @Test func configsHoldOnlyDifferencesFromTheDefaults() throws {
        let defaults = try JSONSerialization.jsonObject(with: ConfigLoader.canonicalJSON(TrainConfig())) as! [String: Any]
        for (name, object) in try Self.runConfigs() {
            var repeated: [String] = []
            for (section, value) in object {
                guard let settings = value as? [String: Any], let base = defaults[section] as? [String: Any] else { continue }
                for (key, setting) in settings where Self.same(setting, base[key]) { repeated.append("\(section).\(key)") }
            }
            #expect(repeated.isEmpty, "\(name) repeats defaults: \(repeated.sorted().joined(separator: ", "))")
        }
    }

    /// Equal JSON values, compared as JSON text (so that true is not the number 1).
    static func same(_ a: Any, _ b: Any?) -> Bool {
        guard let b, let x = try? JSONSerialization.data(withJSONObject: [a]), let y = try? JSONSerialization.data(withJSONObject: [b]) else { return false }
        return x == y
    }
}
