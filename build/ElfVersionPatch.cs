// Compiled twice: by MSBuild's RoslynCodeTaskFactory (build/TorchSharpNatives.targets), against netstandard 2.0 reference
// assemblies, so no newer API or records; and into LabelHub.Workers.Tests, which defines ELF_PATCH_WITHOUT_MSBUILD to
// leave out the task class (the tests need no MSBuild package).
#nullable enable
using System;
using System.IO;
using System.Text;

namespace LabelHub.Build;

public enum ElfVersionPatchOutcome
{
    /// <summary>The requirement was strong and is now weak.</summary>
    Patched,

    /// <summary>The requirement is already weak; the bytes stay as they are.</summary>
    AlreadyWeak,

    /// <summary>The file does not require that version at all; the bytes stay as they are.</summary>
    NotNeeded,
}

public sealed class ElfVersionPatchResult
{
    public ElfVersionPatchResult(ElfVersionPatchOutcome outcome, long flagsOffset)
    {
        Outcome = outcome;
        FlagsOffset = flagsOffset;
    }

    public ElfVersionPatchOutcome Outcome { get; }

    /// <summary>File offset of the requirement's two-byte vna_flags, or -1 when the file does not require the version.</summary>
    public long FlagsOffset { get; }
}

/// <summary>One Elf64_Vernaux entry: a version the file requires from one of its libraries.</summary>
public sealed class ElfVersionRequirement
{
    public ElfVersionRequirement(long flagsOffset, ushort flags)
    {
        FlagsOffset = flagsOffset;
        Flags = flags;
    }

    /// <summary>File offset of vna_flags (two bytes, little-endian).</summary>
    public long FlagsOffset { get; }

    public ushort Flags { get; }

    public bool IsWeak => (Flags & ElfVersionPatch.WeakVersionFlag) != 0;
}

/// <summary>
/// Makes one symbol-version requirement of a 64-bit little-endian ELF shared library weak (VER_FLG_WEAK in its
/// Elf64_Vernaux entry of .gnu.version_r), so ld.so loads the library on a system whose libstdc++ lacks that version
/// and only complains if a symbol of that version is actually bound. See docs/decisions/0009-torchsharp-natives.md.
/// </summary>
public static class ElfVersionPatch
{
    public const ushort WeakVersionFlag = 0x2;

    private const uint SectionTypeVersionNeeds = 0x6ffffffe; // SHT_GNU_verneed
    private const int SectionHeaderSize = 64;
    private const int VerneedSize = 16;
    private const int VernauxSize = 16;

    /// <summary>The file's requirement of <paramref name="versionName"/>, or null when it has none.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a well-formed 64-bit little-endian ELF file.</exception>
    public static ElfVersionRequirement? FindRequirement(byte[] elf, string versionName)
    {
        long flagsOffset = FindRequirementFlags(elf, versionName);
        return flagsOffset < 0 ? null : new ElfVersionRequirement(flagsOffset, ReadUInt16(elf, flagsOffset));
    }

    /// <summary>
    /// Writes <paramref name="sourcePath"/> to <paramref name="destinationPath"/> with the requirement weak. The
    /// destination is written to a temporary file and renamed over, so the source is never written, even when the
    /// destination is a hard link to it. With source and destination the same path, the file is only replaced when
    /// the flag changes.
    /// </summary>
    public static ElfVersionPatchResult WriteWithWeakRequirement(string sourcePath, string destinationPath, string versionName)
    {
        byte[] elf = File.ReadAllBytes(sourcePath);
        ElfVersionRequirement? requirement = FindRequirement(elf, versionName);
        ElfVersionPatchResult result = requirement == null
            ? new ElfVersionPatchResult(ElfVersionPatchOutcome.NotNeeded, -1)
            : new ElfVersionPatchResult(requirement.IsWeak ? ElfVersionPatchOutcome.AlreadyWeak : ElfVersionPatchOutcome.Patched, requirement.FlagsOffset);
        if (requirement != null && !requirement.IsWeak)
        {
            ushort flags = (ushort)(requirement.Flags | WeakVersionFlag);
            elf[requirement.FlagsOffset] = (byte)flags;
            elf[requirement.FlagsOffset + 1] = (byte)(flags >> 8);
        }
        bool samePath = string.Equals(Path.GetFullPath(sourcePath), Path.GetFullPath(destinationPath), StringComparison.Ordinal);
        if (result.Outcome == ElfVersionPatchOutcome.Patched || !samePath)
        {
            ReplaceFile(destinationPath, elf);
        }
        return result;
    }

    private static void ReplaceFile(string destinationPath, byte[] content)
    {
        string directory = Path.GetDirectoryName(Path.GetFullPath(destinationPath)) ?? ".";
        Directory.CreateDirectory(directory);
        string temporaryPath = Path.Combine(directory, "." + Path.GetFileName(destinationPath) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            File.WriteAllBytes(temporaryPath, content);
            if (File.Exists(destinationPath))
            {
                // rename(2) on Unix: the destination name now points at the new file; other links keep the old one.
                File.Replace(temporaryPath, destinationPath, null);
            }
            else
            {
                File.Move(temporaryPath, destinationPath);
            }
        }
        finally
        {
            if (File.Exists(temporaryPath))
            {
                File.Delete(temporaryPath);
            }
        }
    }

    /// <summary>The file offset of the vna_flags of the requirement named <paramref name="versionName"/>, or -1.</summary>
    private static long FindRequirementFlags(byte[] elf, string versionName)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
        {
            throw new InvalidDataException("Not an ELF file (no \\x7fELF magic, or shorter than an ELF header).");
        }
        if (elf[4] != 2 || elf[5] != 1)
        {
            throw new InvalidDataException($"Only 64-bit little-endian ELF files are supported (EI_CLASS {elf[4]}, EI_DATA {elf[5]}).");
        }

        long sectionHeadersOffset = ReadInt64(elf, 0x28, "e_shoff");
        int sectionHeaderSize = ReadUInt16(elf, 0x3A);
        int sectionCount = ReadUInt16(elf, 0x3C);
        if (sectionHeadersOffset == 0 || sectionCount == 0)
        {
            throw new InvalidDataException("The ELF file has no section headers (or uses extended section numbering), so its version requirements cannot be found.");
        }
        if (sectionHeaderSize != SectionHeaderSize)
        {
            throw new InvalidDataException($"Unexpected ELF section header size {sectionHeaderSize} (64 expected).");
        }
        Require(elf, sectionHeadersOffset, (long)sectionCount * SectionHeaderSize, "the section header table");

        byte[] wanted = Encoding.ASCII.GetBytes(versionName);
        for (int section = 0; section < sectionCount; section++)
        {
            long header = sectionHeadersOffset + (long)section * SectionHeaderSize;
            if (ReadUInt32(elf, header + 4) != SectionTypeVersionNeeds)
            {
                continue;
            }
            long needsOffset = ReadInt64(elf, header + 24, "sh_offset");
            long needsSize = ReadInt64(elf, header + 32, "sh_size");
            uint stringSectionIndex = ReadUInt32(elf, header + 40);
            uint needCount = ReadUInt32(elf, header + 44);
            Require(elf, needsOffset, needsSize, ".gnu.version_r");
            if (stringSectionIndex >= sectionCount)
            {
                throw new InvalidDataException($".gnu.version_r links to string table section {stringSectionIndex}, beyond the {sectionCount} sections.");
            }
            long stringHeader = sectionHeadersOffset + stringSectionIndex * SectionHeaderSize;
            long stringsOffset = ReadInt64(elf, stringHeader + 24, "sh_offset");
            long stringsSize = ReadInt64(elf, stringHeader + 32, "sh_size");
            Require(elf, stringsOffset, stringsSize, "the string table of .gnu.version_r");

            long need = needsOffset;
            for (uint needIndex = 0; needIndex < needCount; needIndex++)
            {
                RequireWithin(need, VerneedSize, needsOffset, needsSize, "an Elf64_Verneed record");
                int auxCount = ReadUInt16(elf, need + 2);
                long aux = need + ReadUInt32(elf, need + 8);
                for (int auxIndex = 0; auxIndex < auxCount; auxIndex++)
                {
                    RequireWithin(aux, VernauxSize, needsOffset, needsSize, "an Elf64_Vernaux entry");
                    uint nameOffset = ReadUInt32(elf, aux + 8);
                    if (NameEquals(elf, stringsOffset, stringsSize, nameOffset, wanted))
                    {
                        return aux + 4;
                    }
                    uint nextAux = ReadUInt32(elf, aux + 12);
                    if (nextAux == 0)
                    {
                        break;
                    }
                    aux += nextAux;
                }
                uint nextNeed = ReadUInt32(elf, need + 12);
                if (nextNeed == 0)
                {
                    break;
                }
                need += nextNeed;
            }
        }
        return -1;
    }

    private static bool NameEquals(byte[] elf, long stringsOffset, long stringsSize, uint nameOffset, byte[] wanted)
    {
        if (nameOffset + (long)wanted.Length >= stringsSize)
        {
            return false;
        }
        long start = stringsOffset + nameOffset;
        for (int i = 0; i < wanted.Length; i++)
        {
            if (elf[start + i] != wanted[i])
            {
                return false;
            }
        }
        return elf[start + wanted.Length] == 0;
    }

    private static void Require(byte[] elf, long offset, long length, string what)
    {
        if (offset < 0 || length < 0 || offset > elf.Length || length > elf.Length - offset)
        {
            throw new InvalidDataException($"The ELF file is truncated or damaged: {what} (offset {offset}, {length} bytes) lies beyond its end ({elf.Length} bytes).");
        }
    }

    private static void RequireWithin(long offset, long length, long sectionOffset, long sectionSize, string what)
    {
        if (offset < sectionOffset || offset + length > sectionOffset + sectionSize)
        {
            throw new InvalidDataException($"The ELF file is damaged: {what} at offset {offset} lies outside .gnu.version_r.");
        }
    }

    private static ushort ReadUInt16(byte[] elf, long offset)
    {
        Require(elf, offset, 2, "a 16-bit field");
        return (ushort)(elf[offset] | elf[offset + 1] << 8);
    }

    private static uint ReadUInt32(byte[] elf, long offset)
    {
        Require(elf, offset, 4, "a 32-bit field");
        return elf[offset] | (uint)elf[offset + 1] << 8 | (uint)elf[offset + 2] << 16 | (uint)elf[offset + 3] << 24;
    }

    private static long ReadInt64(byte[] elf, long offset, string field)
    {
        ulong value = ReadUInt32(elf, offset) | (ulong)ReadUInt32(elf, offset + 4) << 32;
        if (value > long.MaxValue)
        {
            throw new InvalidDataException($"The ELF file is damaged: {field} is {value}.");
        }
        return (long)value;
    }
}

#if !ELF_PATCH_WITHOUT_MSBUILD
/// <summary>
/// MSBuild task over <see cref="ElfVersionPatch.WriteWithWeakRequirement"/>: writes the patched copy and says what it
/// did; a file it cannot read as ELF fails the build with the reason.
/// </summary>
public sealed class WriteElfWithWeakVersionRequirement : Microsoft.Build.Utilities.Task
{
    [Microsoft.Build.Framework.Required]
    public string SourceFile { get; set; } = "";

    [Microsoft.Build.Framework.Required]
    public string DestinationFile { get; set; } = "";

    [Microsoft.Build.Framework.Required]
    public string VersionName { get; set; } = "";

    public override bool Execute()
    {
        try
        {
            ElfVersionPatchResult result = ElfVersionPatch.WriteWithWeakRequirement(SourceFile, DestinationFile, VersionName);
            string what = result.Outcome switch
            {
                ElfVersionPatchOutcome.Patched => $"made the {VersionName} requirement weak",
                ElfVersionPatchOutcome.AlreadyWeak => $"the {VersionName} requirement was already weak",
                _ => $"{VersionName} is not required; copied unchanged",
            };
            Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Normal, $"{DestinationFile}: {what} (from {SourceFile}).");
            return true;
        }
        catch (Exception e) when (e is InvalidDataException || e is IOException || e is UnauthorizedAccessException)
        {
            Log.LogError($"Cannot patch {SourceFile} into {DestinationFile}: {e.Message}");
            return false;
        }
    }
}
#endif
