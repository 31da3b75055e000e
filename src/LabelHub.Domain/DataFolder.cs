namespace LabelHub.Domain;

/// <summary>
/// The data folder holds the SQLite database (password hashes, the data-protection key ring), logs and the first admin's
/// password: only the account running LabelHub may read it. Folders are made 0700 and files 0600, whatever the umask.
/// </summary>
public static class DataFolder
{
    private const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates the folder (and its parents) if missing, and makes it private.</summary>
    public static string EnsurePrivate(string folder)
    {
        var full = Path.GetFullPath(folder);
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(full);
            return full;
        }
        Directory.CreateDirectory(full, FolderMode);
        // An existing folder (an older version made it 0755) is tightened too.
        File.SetUnixFileMode(full, FolderMode);
        return full;
    }

    /// <summary>Makes these files private, the ones that exist.</summary>
    public static void MakePrivate(params string[] files)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        foreach (var file in files)
        {
            if (File.Exists(file))
            {
                File.SetUnixFileMode(file, FileMode);
            }
        }
    }
}
