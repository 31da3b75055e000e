namespace LabelHub.Domain;

public sealed class LabelHubOptions
{
    public const string Section = "LabelHub";

    /// <summary>Where the embedded mode keeps its SQLite database, logs and the first admin's password file.</summary>
    public string DataDir { get; set; } = "data";

    public string DataDirFullPath => Path.GetFullPath(DataDir);

    /// <summary>
    /// The largest item an import accepts, in bytes of its JSON (1 MiB unless configured): every item is sent to an
    /// annotator's browser whole, and one huge row would stall the workbench.
    /// </summary>
    public int MaxItemBytes { get; set; } = 1 << 20;
}
