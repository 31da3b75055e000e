using System.Reflection;
using System.Runtime.InteropServices;
using LabelHub.Build;

namespace LabelHub.Workers.Tests.Build;

/// <summary>The build-time edit of build/ElfVersionPatch.cs, on copies of TorchSharp's own libLibTorchSharp.so.</summary>
public sealed class ElfVersionPatchTests : IDisposable
{
    private const string Version = "GLIBCXX_3.4.32";

    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("labelhub-elf-");

    /// <summary>The unmodified file in the NuGet cache; read only.</summary>
    public static string PackageLibTorchSharp =>
        Path.Combine(
            typeof(ElfVersionPatchTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "TorchSharpPackageFolder").Value!,
            "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    [Fact]
    public void Patching_sets_only_the_weak_flag_of_the_GLIBCXX_3_4_32_requirement()
    {
        var original = File.ReadAllBytes(PackageLibTorchSharp);
        var library = CopyOfPackageFile();

        var result = ElfVersionPatch.WriteWithWeakRequirement(library, library, Version);

        Assert.Equal(ElfVersionPatchOutcome.Patched, result.Outcome);
        var patched = File.ReadAllBytes(library);
        Assert.Equal(original.Length, patched.Length);
        var changed = Enumerable.Range(0, original.Length).Where(i => original[i] != patched[i]).ToList();
        Assert.NotEmpty(changed);
        Assert.All(changed, i => Assert.InRange(i, result.FlagsOffset, result.FlagsOffset + 1));
        Assert.Equal(0, ReadUInt16(original, result.FlagsOffset) & ElfVersionPatch.WeakVersionFlag);
        Assert.Equal(ElfVersionPatch.WeakVersionFlag, ReadUInt16(patched, result.FlagsOffset));
        // The two bytes belong to that version's Elf64_Vernaux entry: its vna_hash, four bytes earlier, is the ELF hash of the name.
        Assert.Equal(ElfHash(Version), BitConverter.ToUInt32(patched, (int)result.FlagsOffset - 4));
    }

    [Fact]
    public void A_second_run_finds_the_flag_set_and_changes_nothing()
    {
        var library = CopyOfPackageFile();
        var first = ElfVersionPatch.WriteWithWeakRequirement(library, library, Version);
        var afterFirst = File.ReadAllBytes(library);
        var writtenAt = File.GetLastWriteTimeUtc(library);

        var second = ElfVersionPatch.WriteWithWeakRequirement(library, library, Version);

        Assert.Equal(ElfVersionPatchOutcome.AlreadyWeak, second.Outcome);
        Assert.Equal(first.FlagsOffset, second.FlagsOffset);
        Assert.Equal(afterFirst, File.ReadAllBytes(library));
        Assert.Equal(writtenAt, File.GetLastWriteTimeUtc(library));
    }

    [Fact]
    public void Writing_over_a_hard_link_leaves_the_linked_source_untouched()
    {
        var source = CopyOfPackageFile();
        var destination = Path.Combine(folder.FullName, "linked.so");
        Assert.Equal(0, link(source, destination));

        var result = ElfVersionPatch.WriteWithWeakRequirement(source, destination, Version);

        Assert.Equal(ElfVersionPatchOutcome.Patched, result.Outcome);
        Assert.Equal(File.ReadAllBytes(PackageLibTorchSharp), File.ReadAllBytes(source));
        Assert.True(ElfVersionPatch.FindRequirement(File.ReadAllBytes(destination), Version)!.IsWeak);
    }

    [Fact]
    public void A_library_without_the_requirement_is_not_needed_and_copied_unchanged()
    {
        // libc10.so needs libstdc++ only up to GLIBCXX_3.4.26.
        var source = Path.Combine(AppContext.BaseDirectory, "libc10.so");
        var destination = Path.Combine(folder.FullName, "libc10.so");

        var result = ElfVersionPatch.WriteWithWeakRequirement(source, destination, Version);

        Assert.Equal(ElfVersionPatchOutcome.NotNeeded, result.Outcome);
        Assert.Equal(-1, result.FlagsOffset);
        Assert.Equal(File.ReadAllBytes(source), File.ReadAllBytes(destination));
        Assert.Null(ElfVersionPatch.FindRequirement(File.ReadAllBytes(PackageLibTorchSharp), "GLIBCXX_3.4.99"));
        Assert.NotNull(ElfVersionPatch.FindRequirement(File.ReadAllBytes(source), "GLIBCXX_3.4.26"));
    }

    [Theory]
    [InlineData("not a library", "Not an ELF file")]
    [InlineData("", "Not an ELF file")]
    [InlineData("first 4 KiB of libLibTorchSharp.so", "truncated")]
    public void A_truncated_or_foreign_file_fails_with_the_reason_and_writes_nothing(string content, string reason)
    {
        var source = Path.Combine(folder.FullName, "damaged.so");
        var bytes = content.StartsWith("first 4 KiB", StringComparison.Ordinal)
            ? File.ReadAllBytes(PackageLibTorchSharp)[..4096]
            : System.Text.Encoding.ASCII.GetBytes(content);
        File.WriteAllBytes(source, bytes);
        var destination = Path.Combine(folder.FullName, "out.so");

        var error = Assert.Throws<InvalidDataException>(() => ElfVersionPatch.WriteWithWeakRequirement(source, destination, Version));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(destination));
    }

    private string CopyOfPackageFile()
    {
        var copy = Path.Combine(folder.FullName, "libLibTorchSharp.so");
        File.Copy(PackageLibTorchSharp, copy);
        return copy;
    }

    private static int ReadUInt16(byte[] bytes, long offset) => bytes[offset] | bytes[offset + 1] << 8;

    /// <summary>The System V ABI's ELF hash, as vna_hash stores it.</summary>
    private static uint ElfHash(string name)
    {
        uint hash = 0;
        foreach (var c in name)
        {
            hash = (hash << 4) + c;
            var high = hash & 0xf0000000;
            if (high != 0)
            {
                hash ^= high >> 24;
            }
            hash &= ~high;
        }
        return hash;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int link(string existingPath, string newPath);

    public void Dispose() => folder.Delete(recursive: true);
}
