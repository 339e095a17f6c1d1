import Crypto
import Foundation

/// SHA-256 digests of files (tokenizer files, data manifests, fine-tuning records, a LoRA base's
/// model.safetensors), in hex.
public enum FileDigest {
    /// Bytes read at a time: the file is streamed, not mapped, since touched pages of a map count in
    /// the resident size (mapped, every LoRA save's hash of a 474 MiB base touched all of it on
    /// rank 0, one more copy of the base beside its weights; issue 26).
    static let chunkBytes = 4 << 20

    /// The hex SHA-256 of the file's bytes; of no bytes when it cannot be read (a missing file then
    /// differs from any real one).
    public static func sha256(_ url: URL) -> String {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return sha256(Data()) }
        defer { try? handle.close() }
        var hasher = SHA256()
        do {
            // nil or empty at the end of the file.
            while let chunk = try handle.read(upToCount: chunkBytes), !chunk.isEmpty { hasher.update(data: chunk) }
        } catch { return sha256(Data()) }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// The hex SHA-256 of `bytes`.
    public static func sha256<Bytes: DataProtocol>(_ bytes: Bytes) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }
}
