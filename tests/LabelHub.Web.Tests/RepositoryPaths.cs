namespace LabelHub.Web.Tests;

/// <summary>Where the repository's files are, for tests that read the sources and resources themselves.</summary>
internal static class RepositoryPaths
{
    public static string Root()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "LabelHub.sln")))
            {
                return folder.FullName;
            }
        }
        throw new InvalidOperationException($"LabelHub.sln was not found above {AppContext.BaseDirectory}.");
    }
}
