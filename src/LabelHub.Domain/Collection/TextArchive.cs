using System.Text;
using System.Text.Unicode;

namespace LabelHub.Domain.Collection;

/// <summary>
/// A ZIP archive of .txt files: one item <c>{"text": the whole file, "file": its path in the archive}</c> per file, its
/// "line" the entry's 1-based index (as for images). An archive holds either images or .txt files: once it holds one
/// .txt file, every other file is refused by name, so a mixed archive imports nothing. A leading UTF-8 BOM and the line
/// ends at the file's end are dropped, the rest is kept as written. An empty (or only white space) file, a file that is
/// not UTF-8 and one over the entry size limit are errors naming the entry. Directories, __MACOSX and dot files are left
/// out as for images; the same entry-count and unpacked-size limits apply.
/// </summary>
public static class TextArchive
{
    /// <summary>Whether most of the archive's files are .txt files, which makes it a text archive (read by <see cref="Parse"/>).</summary>
    public static bool HoldsText(Stream zip)
    {
        ArgumentNullException.ThrowIfNull(zip);
        if (ImageArchive.DeclaredEntryCount(zip) is { } declared && declared > ImageArchiveLimits.Default.MaxEntries)
        {
            return false;
        }
        zip.Position = 0;
        if (!ImageArchive.TryOpen(zip, out var archive, out _))
        {
            return false;
        }
        using (archive)
        {
            // A mixed archive is read as the kind most of its files are, so the error names the few odd ones out.
            var files = archive.Entries.Select(e => ImageArchive.CheckEntryPath(e.FullName)).Where(c => c.Verdict == EntryPathVerdict.Accept).ToList();
            var texts = files.Count(c => IsText(c.Path));
            return texts > 0 && texts > files.Count - texts;
        }
    }

    /// <summary>Every .txt file of the archive to <paramref name="onItem"/>; the result lists the problems (nothing is kept).</summary>
    public static ItemParseResult Parse(Stream zip, Action<ParsedItem> onItem, IProgress<double>? progress = null, CancellationToken ct = default, ImageArchiveLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(zip);
        ArgumentNullException.ThrowIfNull(onItem);
        limits ??= ImageArchiveLimits.Default;
        var errors = new List<ImportRowError>();
        ItemParseResult Result() => new([], errors);
        zip.Position = 0;
        if (ImageArchive.DeclaredEntryCount(zip) is { } declared && declared > limits.MaxEntries)
        {
            errors.Add(new(0, $"the archive has {declared:N0} entries; at most {limits.MaxEntries:N0} are allowed"));
            return Result();
        }
        zip.Position = 0;
        if (!ImageArchive.TryOpen(zip, out var archive, out var openError))
        {
            errors.Add(new(0, openError));
            return Result();
        }
        using (archive)
        {
            var entries = archive.Entries;
            long total = 0;
            var items = 0;
            for (var i = 0; i < entries.Count; i++)
            {
                ct.ThrowIfCancellationRequested();
                var entry = entries[i];
                var index = i + 1;
                var check = ImageArchive.CheckEntryPath(entry.FullName);
                if (check.Verdict == EntryPathVerdict.Skip)
                {
                    continue;
                }
                if (check.Verdict == EntryPathVerdict.Reject)
                {
                    ImageArchive.AddError(errors, index, entry.FullName, check.Problem!);
                }
                else if (!IsText(check.Path))
                {
                    ImageArchive.AddError(errors, index, entry.FullName, NotTextMessage);
                }
                else if (entry.Length > limits.MaxEntryBytes)
                {
                    ImageArchive.AddError(errors, index, entry.FullName, $"it is larger than {ImageArchive.Megabytes(limits.MaxEntryBytes)}");
                }
                else if (!ImageArchive.TryReadEntry(entry, out var bytes, out var readError))
                {
                    ImageArchive.AddError(errors, index, entry.FullName, readError);
                }
                else
                {
                    total += bytes.Length;
                    if (total > limits.MaxTotalBytes)
                    {
                        errors.Add(new(0, $"the archive unpacks to more than {ImageArchive.Megabytes(limits.MaxTotalBytes)}"));
                        return Result();
                    }
                    ReadOnlySpan<byte> text = bytes;
                    if (text.StartsWith("\uFEFF"u8))
                    {
                        text = text[3..];
                    }
                    if (!Utf8.IsValid(text))
                    {
                        ImageArchive.AddError(errors, index, entry.FullName, "it is not valid UTF-8");
                    }
                    else if (text.IndexOfAnyExcept(" \t\r\n"u8) < 0)
                    {
                        ImageArchive.AddError(errors, index, entry.FullName, "the file is empty");
                    }
                    else if (errors.Count == 0)
                    {
                        items++;
                        onItem(new ParsedItem(index, ItemFileParser.TextItem(Encoding.UTF8.GetString(text).TrimEnd('\r', '\n'), check.Path)));
                    }
                }
                if (errors.Count > ItemFileParser.MaxErrorsReported)
                {
                    errors.Add(new(index, "too many bad entries; stopped checking"));
                    return Result();
                }
                progress?.Report((double)index / entries.Count);
            }
            if (items == 0 && errors.Count == 0)
            {
                errors.Add(new(0, "the archive holds no .txt files"));
            }
        }
        return Result();
    }

    private const string NotTextMessage = "it is not a .txt file; an archive holds either images or .txt files, not both";

    internal static bool IsText(string path) => path.EndsWith(".txt", StringComparison.OrdinalIgnoreCase);
}
