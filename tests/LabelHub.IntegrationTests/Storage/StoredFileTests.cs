using System.Security.Cryptography;
using LabelHub.Domain.Data;
using LabelHub.Domain.Jobs;
using LabelHub.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;

namespace LabelHub.IntegrationTests.Storage;

/// <summary>Files in chunks: streamed in and out, seekable, nothing left of a failed write, and files from before chunks still read.</summary>
public sealed class StoredFileTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Files_stream_in_and_out_in_chunks_and_a_file_stored_before_the_upgrade_still_reads(string provider)
    {
        var settings = await TestDatabases.CreateAsync(provider, "files");
        await using var services = new ServiceCollection().AddLabelHubDatabase(settings).BuildServiceProvider();
        var dbFactory = services.GetRequiredService<IDbContextFactory<LabelHubDbContext>>();

        // A database as the previous version left it, with a file in the old one-blob table.
        var oldId = Guid.NewGuid();
        var oldBytes = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17);
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            await db.GetService<IMigrator>().MigrateAsync("ProjectArchive");
            await db.Database.ExecuteSqlAsync($"INSERT INTO stored_files (id, file_name, content_type, length, sha256, created_at) VALUES ({oldId}, {"old.bin"}, {"application/octet-stream"}, {(long)oldBytes.Length}, {Convert.ToHexStringLower(SHA256.HashData(oldBytes))}, {DateTimeOffset.UtcNow})");
            await db.Database.ExecuteSqlAsync($"INSERT INTO stored_file_contents (file_id, bytes) VALUES ({oldId}, {oldBytes})");
        }
        await DatabaseSetup.MigrateAsync(services);
        var files = new StoredFileService(dbFactory, TimeProvider.System);
        await using (var old = await files.OpenReadAsync(oldId))
        {
            Assert.Equal(oldBytes, await ReadAllAsync(old));
        }

        // A new file of 2.5 chunks arrives as a stream and is stored in three chunks, with its length and hash.
        var bytes = RandomNumberGenerator.GetBytes((StoredFileChunk.Size * 2) + (StoredFileChunk.Size / 2));
        var file = await files.SaveAsync(null, null, "big.bin", "application/octet-stream", new MemoryStream(bytes));
        Assert.True(file.IsComplete);
        Assert.Equal(bytes.LongLength, file.Length);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), file.Sha256);
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            Assert.Equal([0, 1, 2], await db.StoredFileChunks.Where(c => c.FileId == file.Id).OrderBy(c => c.Sequence).Select(c => c.Sequence).ToListAsync());
        }
        await using (var read = await files.OpenReadAsync(file.Id))
        {
            Assert.Equal(bytes.LongLength, read.Length);
            Assert.Equal(bytes, await ReadAllAsync(read));
            // Seeking across a chunk boundary (what a range request does).
            read.Position = StoredFileChunk.Size - 10;
            var across = new byte[20];
            await read.ReadExactlyAsync(across);
            Assert.Equal(bytes.AsSpan(StoredFileChunk.Size - 10, 20).ToArray(), across);
        }

        // Too large: nothing is kept. A writer that fails: nothing is kept either.
        await Assert.ThrowsAsync<FileTooLargeException>(() => files.SaveAsync(null, null, "too-big.bin", "application/octet-stream", new MemoryStream(bytes), maxBytes: StoredFileChunk.Size));
        await Assert.ThrowsAsync<IOException>(() => files.WriteAsync(null, null, null, "broken.bin", "application/octet-stream", async (output, ct) =>
        {
            await output.WriteAsync(bytes.AsMemory(0, StoredFileChunk.Size + 1), ct);
            throw new IOException("The writer broke.");
        }));
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            Assert.Equal(new[] { oldId, file.Id }.Order(), (await db.StoredFiles.Select(f => f.Id).ToListAsync()).Order());
            Assert.Equal(4, await db.StoredFileChunks.CountAsync());
        }

        // A process killed while writing leaves an incomplete row and chunks: never served, removed when its job runs again.
        var jobRunId = Guid.NewGuid();
        var killed = Guid.NewGuid();
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            db.StoredFiles.Add(new StoredFile { Id = killed, FileName = "half.jsonl", IsComplete = false, JobRunId = jobRunId, CreatedAt = DateTimeOffset.UtcNow });
            db.StoredFileChunks.Add(new StoredFileChunk { FileId = killed, Sequence = 0, Bytes = [1, 2, 3] });
            await db.SaveChangesAsync();
        }
        await Assert.ThrowsAsync<LabelHub.Domain.NotFoundException>(() => files.OpenReadAsync(killed));
        await files.RemoveIncompleteAsync(jobRunId);
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            Assert.False(await db.StoredFiles.AnyAsync(f => f.Id == killed));
            Assert.False(await db.StoredFileChunks.AnyAsync(c => c.FileId == killed));
        }
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var copy = new MemoryStream();
        // Small reads, as a download copies: every chunk boundary is crossed.
        var buffer = new byte[100_000];
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            copy.Write(buffer, 0, read);
        }
        return copy.ToArray();
    }
}
