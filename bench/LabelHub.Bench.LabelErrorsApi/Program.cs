using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using LabelHub.Bench.DataPath;
using LabelHub.Bench.LabelErrorsApi;
using LabelHub.Domain.Cleansing;
using LabelHub.Domain.Data;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using LabelHub.Web;
using LabelHub.Web.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

// The label-error job end to end through the API (issue 14): upload, labeling, the job and its findings, timed, on the
// repository's Release build of LabelHub.Web in its own process, in the embedded mode a user gets from `dotnet run`.
var options = BenchOptions.Parse(args);
if (options is null)
{
    Console.WriteLine(BenchOptions.Usage);
    return 64;
}
using var abort = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    abort.Cancel();
};
var ct = abort.Token;
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

Console.WriteLine($"== {options.Count:N0} Fashion-MNIST images, {options.Noise:P0} of the answers flipped, seed {options.Seed}");
var (zip, classes) = FashionMnistZip.Build(options.Count);
// Which answers are flipped and to which other class: seeded, drawn as LabelErrorTests draws them.
var random = new Random(options.Seed);
var flipped = Enumerable.Range(0, options.Count).OrderBy(_ => random.Next()).Take((int)Math.Round(options.Count * options.Noise)).ToHashSet();
var given = classes.Select((c, i) => flipped.Contains(i) ? (c + 1 + random.Next(FashionMnistZip.Labels.Length - 1)) % FashionMnistZip.Labels.Length : c).ToArray();
Console.WriteLine($"  ZIP of {options.Count:N0} PNGs: {zip.Length / 1048576.0:F1} MiB; {flipped.Count:N0} answers to flip");

var dataDir = Directory.CreateTempSubdirectory("labelhub-labelerrorsapi-").FullName;
var port = ServerProcess.FreePort();
var environment = new Dictionary<string, string>
{
    ["LabelHub__DataDir"] = dataDir,
    ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
};
var server = new Uri($"http://127.0.0.1:{port}");
BenchResult result;
await using (var web = ServerProcess.Start("LabelHub.Web", environment, Path.Combine(dataDir, "web.log")))
{
    using (var health = new HttpClient { BaseAddress = server })
    {
        await web.WaitHealthyAsync(health, ct);
    }

    // The domain services on the same SQLite file, to seed the accounts with (never started as a web app).
    SeededAccounts accounts;
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ApplicationName = typeof(WebSetup).Assembly.GetName().Name, EnvironmentName = "Production", Args = [] });
        builder.Configuration.AddInMemoryCollection(environment.ToDictionary(e => e.Key.Replace("__", ":", StringComparison.Ordinal), e => (string?)e.Value));
        builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Warning).AddConsole();
        builder.AddLabelHubDomain();
        builder.AddLabelHubWeb();
        await using var seedingHost = builder.Build();
        accounts = await AccountSeeding.SeedAsync(seedingHost.Services, ct);
    }
    using var admin = new ApiUser(server, accounts.Admin.Token);
    using var manager = new ApiUser(server, accounts.Manager.Token);
    var annotators = accounts.Annotators.Select(a => new ApiUser(server, a.Token)).ToList();

    // From here on, HTTP only.
    var schema = new LabelSchema
    {
        Fields = [new LabelField { Name = "category", Kind = FieldKind.Choice, Labels = [.. FashionMnistZip.Labels], Required = true }],
    };
    var project = await manager.PostAsync<PlanningEndpoints.ProjectDto>("/api/v1/projects",
        new ProjectInput("Fashion-MNIST label errors", $"{options.Count:N0} training images, {options.Noise:P0} of the answers flipped", schema, 1), ct);
    foreach (var annotator in accounts.Annotators)
    {
        using var added = await manager.Http.PostAsJsonAsync($"/api/v1/projects/{project.Id}/members", new MemberRequest(annotator.UserId), ApiUser.Json, ct);
        added.EnsureSuccessStatusCode();
    }

    // 1. Upload and import, as a user does it: the file, then the job followed to its end.
    var clock = Stopwatch.StartNew();
    JobRunInfo importJob;
    using (var form = new MultipartFormDataContent { { new ByteArrayContent(zip) { Headers = { ContentType = new MediaTypeHeaderValue("application/zip") } }, "file", "fashion-mnist.zip" } })
    {
        importJob = await ApiUser.ReadAsync<JobRunInfo>(await manager.Http.PostAsync($"/api/v1/projects/{project.Id}/imports", form, ct), ct);
    }
    var uploaded = clock.Elapsed;
    importJob = await manager.WaitForJobAsync(importJob.Id, ct);
    var imported = clock.Elapsed;
    Console.WriteLine($"  import: {imported.TotalSeconds:F1} s (upload {uploaded.TotalSeconds:F1} s): {importJob.ResultSummary ?? importJob.Message}");

    // 2. Every item answered once, the two annotators in parallel, each answer as the flip decided.
    var answerOf = new Dictionary<int, long>();
    var indexOfItem = new Dictionary<long, int>();
    async Task AnswerAllAsync(ApiUser annotator)
    {
        while (true)
        {
            var next = await annotator.Http.PostAsync($"/api/v1/projects/{project.Id}/tasks/next", null, ct);
            if (next.StatusCode == HttpStatusCode.NoContent)
            {
                next.Dispose();
                return;
            }
            var task = await ApiUser.ReadAsync<LabelingTask>(next, ct);
            var index = int.Parse(Path.GetFileNameWithoutExtension(task.Data["file_name"].GetString()!), CultureInfo.InvariantCulture);
            var values = new Dictionary<string, JsonElement> { ["category"] = JsonSerializer.SerializeToElement(FashionMnistZip.Labels[given[index]]) };
            var submitted = await annotator.PostAsync<SubmitResult>($"/api/v1/tasks/{task.AssignmentId}/submit", new SubmitRequest(values), ct);
            lock (answerOf)
            {
                answerOf[index] = submitted.AnnotationId;
                indexOfItem[task.ItemId] = index;
            }
        }
    }
    clock.Restart();
    await Task.WhenAll(annotators.Select(AnswerAllAsync));
    var labeled = clock.Elapsed;
    if (answerOf.Count != options.Count)
    {
        throw new InvalidOperationException($"{answerOf.Count} items answered, {options.Count} imported.");
    }
    Console.WriteLine($"  labeling: {answerOf.Count:N0} answers in {labeled.TotalSeconds:F1} s ({answerOf.Count / labeled.TotalSeconds:N0}/s)");

    // 3. The label-error job with its defaults, timed from the POST to its end while the server's memory is sampled.
    JobRunInfo job;
    TimeSpan jobTook;
    double baselineMiB, peakMiB, peakAnonymousMiB;
    await using (var memory = new MemorySampler(web))
    {
        clock.Restart();
        var started = await manager.PostAsync<JobRunInfo>($"/api/v1/projects/{project.Id}/cleansing/label-errors", new LabelErrorRequest(Field: "category"), ct);
        job = await manager.WaitForJobAsync(started.Id, ct);
        jobTook = clock.Elapsed;
        (baselineMiB, peakMiB, peakAnonymousMiB) = (memory.Baseline, memory.Peak, memory.PeakAnonymous);
    }
    var labelErrors = CleansingJobs.LabelErrors.ReadResult(job) ?? throw new InvalidOperationException($"The job's result does not read: {job.Result}");
    Console.WriteLine($"  label-error job: {jobTook.TotalSeconds:F1} s, web peak RSS {peakMiB:N0} MiB: {job.ResultSummary}");

    // 4. The run's findings, every page, matched with the flipped answers through the file names.
    var findings = new List<FindingView>();
    long? after = null;
    do
    {
        var page = await manager.GetAsync<FindingPage>($"/api/v1/projects/{project.Id}/cleansing/findings?source=LabelError&limit=1000{(after is null ? "" : $"&after={after}")}", ct);
        findings.AddRange(page.Findings.Where(f => f.RunId == labelErrors.RunId));
        after = page.NextAfter;
    }
    while (after is not null);
    foreach (var finding in findings)
    {
        // A finding names the answer it doubts and that answer's item: both must be the image's one answer.
        if (finding.AnnotationId != answerOf[indexOfItem[finding.ItemId]])
        {
            throw new InvalidOperationException($"Finding {finding.Id} names answer {finding.AnnotationId}, not item {finding.ItemId}'s answer.");
        }
    }
    var run = (await admin.GetAsync<List<CleansingRunInfo>>($"/api/v1/projects/{project.Id}/cleansing/runs", ct)).Single(r => r.Id == labelErrors.RunId);
    if (run.Findings != findings.Count || findings.Count != labelErrors.FlaggedAnswers)
    {
        throw new InvalidOperationException($"{findings.Count} findings read; the run lists {run.Findings}, the job {labelErrors.FlaggedAnswers}.");
    }
    var flaggedImages = findings.Select(f => indexOfItem[f.ItemId]).ToHashSet();
    var hits = flaggedImages.Count(flipped.Contains);
    result = new BenchResult(options, flipped.Count, zip.Length, uploaded, imported, answerOf.Count, labeled, jobTook, baselineMiB, peakMiB, peakAnonymousMiB,
        labelErrors, findings.Count, hits, importJob.ResultSummary ?? importJob.Message ?? "");
    foreach (var annotator in annotators)
    {
        annotator.Dispose();
    }
}
Console.WriteLine($"  server log and database in {dataDir}");

var report = BenchReport.Write(result);
Console.WriteLine();
Console.WriteLine(report);
var path = options.Output ?? Path.Combine(RepositoryRoot(), "bench", "results", $"label-errors-api-{DateTime.UtcNow:yyyy-MM-dd-HHmm}.md");
await File.WriteAllTextAsync(path, report, ct);
Console.WriteLine($"Report written to {path}");
return 0;

static string RepositoryRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "LabelHub.sln")))
        {
            return dir.FullName;
        }
    }
    return Directory.GetCurrentDirectory();
}
