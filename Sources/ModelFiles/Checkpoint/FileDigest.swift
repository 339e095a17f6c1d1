import Crypto
import Foundation

/// SHA-256 digests of small files (tokenizer files, data manifests, fine-tuning records), in hex.
public enum FileDigest {
    /// The hex SHA-256 of the file's bytes; of no bytes when it cannot be read (a missing file then
    /// differs from any real one).
    public static func sha256(_ url: URL) -> String {
        sha256((try? Data(contentsOf: url, options: .alwaysMapped)) ?? Data())
    }

    /// The hex SHA-256 of `bytes`.
    public static func sha256<Bytes: DataProtocol>(_ bytes: Bytes) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }
}
