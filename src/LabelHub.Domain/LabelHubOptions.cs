namespace LabelHub.Domain;

public sealed class LabelHubOptions
{
    public const string Section = "LabelHub";

    /// <summary>Where the embedded mode keeps its SQLite database, logs and the first admin's password file.</summary>
    public string DataDir { get; set; } = "data";

    public string DataDirFullPath => Path.GetFullPath(DataDir);
}
