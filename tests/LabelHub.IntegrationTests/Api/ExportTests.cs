using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Labeling;
using LabelHub.IntegrationTests.Infrastructure;
using static LabelHub.IntegrationTests.Api.ApiTestHelpers;

namespace LabelHub.IntegrationTests.Api;

/// <summary>Exports a person can open: UTF-8 as it is, Excel's byte-order mark, the final answer, a chosen scope — on both databases.</summary>
public sealed class ExportTests
{
    private static readonly string[] Reviews = ["배송이 빨라요 <좋음> & \"추천\"", "포장이 엉망이에요", "그냥 그래요"];

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Exports_write_hangul_as_text_with_the_final_answer_and_the_chosen_items(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var project = await CreateProjectAsync(manager, "리뷰", overlap: 3);
        var import = await manager.PostAsync<JobRunInfo>($"/api/v1/projects/{project.Id}/items", Reviews.Select(text => new { text }).ToArray());
        Assert.Equal(JobState.Succeeded, (await WaitForJobAsync(manager, import.Id)).State);

        // Three annotators on the first review (two agree), two on the second (a tie), nobody on the third.
        var answers = new Dictionary<string, string[]> { [Reviews[0]] = ["positive", "positive", "negative"], [Reviews[1]] = ["negative", "positive"] };
        var annotations = new List<(string Text, long AnnotationId)>();
        for (var n = 0; n < 3; n++)
        {
            var annotator = await app.CreateUserClientAsync($"ann{n}", Roles.Annotator);
            await AddMemberAsync(manager, project.Id, annotator.UserId);
            while ((await annotator.Http.PostAsync($"/api/v1/projects/{project.Id}/tasks/next", null)) is { StatusCode: HttpStatusCode.OK } response)
            {
                var task = (await response.Content.ReadFromJsonAsync<LabelingTask>(LabelHubApp.Json))!;
                var review = task.Data["text"].GetString()!;
                if (!answers.TryGetValue(review, out var given) || n >= given.Length)
                {
                    await ApiClient.EnsureAsync(await annotator.Http.PostAsync($"/api/v1/tasks/{task.AssignmentId}/skip", null));
                    continue;
                }
                var result = await annotator.PostAsync<SubmitResult>($"/api/v1/tasks/{task.AssignmentId}/submit",
                    new SubmitRequest(Values(("sentiment", given[n]), ("note", $"메모 {n}")), 900));
                annotations.Add((review, result.AnnotationId));
            }
        }
        // The first review's first answer is accepted; the second review's first answer is rejected.
        await manager.PostAsync<ReviewResult>($"/api/v1/annotations/{annotations.First(a => a.Text == Reviews[0]).AnnotationId}/review", new ReviewRequest(ReviewDecision.Accepted));
        await manager.PostAsync<ReviewResult>($"/api/v1/annotations/{annotations.First(a => a.Text == Reviews[1]).AnnotationId}/review", new ReviewRequest(ReviewDecision.Rejected, "다시 보세요"));

        async Task<byte[]> ExportAsync(object request)
        {
            var job = await WaitForJobAsync(manager, (await manager.PostAsync<JobRunInfo>($"/api/v1/projects/{project.Id}/exports", request)).Id);
            Assert.Equal(JobState.Succeeded, job.State);
            var fileId = JsonSerializer.Deserialize<JsonElement>(job.Result!).GetProperty("fileId").GetGuid();
            using var response = await manager.Http.GetAsync($"/api/v1/files/{fileId}", HttpCompletionOption.ResponseHeadersRead);
            response.EnsureSuccessStatusCode();
            var bytes = await response.Content.ReadAsByteArrayAsync();
            // Streamed from the store with its length, a strong ETag, and ranges on request.
            Assert.Equal(bytes.LongLength, response.Content.Headers.ContentLength);
            Assert.NotNull(response.Headers.ETag);
            Assert.Contains("bytes", response.Headers.AcceptRanges);
            using var range = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/files/{fileId}");
            range.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(3, 12);
            using var partial = await manager.Http.SendAsync(range);
            Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
            Assert.Equal(bytes.AsSpan(3, 10).ToArray(), await partial.Content.ReadAsByteArrayAsync());
            return bytes;
        }

        // JSON lines: Hangul, <, > and & as they are (JSON escapes only the quote); the final answer per field.
        var jsonl = await ExportAsync(new { format = "jsonl" });
        Assert.NotEqual(0xEF, jsonl[0]);
        var text = Encoding.UTF8.GetString(jsonl);
        Assert.Contains("배송이 빨라요 <좋음> & \\\"추천\\\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u", text, StringComparison.Ordinal);
        var rows = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement)
            .ToDictionary(row => row.GetProperty("data").GetProperty("text").GetString()!);
        Assert.Equal(3, rows.Count);
        Assert.Equal("positive", rows[Reviews[0]].GetProperty("final").GetProperty("sentiment").GetString());
        // The rejected answer is out; one answer left on the second review is its final answer.
        Assert.Equal(1, rows[Reviews[1]].GetProperty("annotations").GetArrayLength());
        Assert.Equal("positive", rows[Reviews[1]].GetProperty("final").GetProperty("sentiment").GetString());
        Assert.False(rows[Reviews[2]].GetProperty("final").TryGetProperty("sentiment", out _));
        // Notes differ on the first review: no final note.
        Assert.False(rows[Reviews[0]].GetProperty("final").TryGetProperty("note", out _));

        // Labeled only: the review nobody answered is left out.
        var labeled = Encoding.UTF8.GetString(await ExportAsync(new { format = "jsonl", scope = "labeled" })).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, labeled.Length);

        // Reviewed only: the one accepted answer, as a CSV with the byte-order mark, Hangul as text.
        var csv = await ExportAsync(new { format = "csv", scope = "reviewed" });
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, csv[..3]);
        var lines = Encoding.UTF8.GetString(csv[3..]).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("item_id,data.text,annotator,version,created_at,duration_ms,review_status,sentiment,topics,note,final.sentiment,", lines[0], StringComparison.Ordinal);
        Assert.Contains("\"배송이 빨라요 <좋음> & \"\"추천\"\"\",ann0,1,", lines[1], StringComparison.Ordinal);
        Assert.Contains(",Accepted,positive,,메모 0,positive,,메모 0", lines[1], StringComparison.Ordinal);

        // Without the mark when asked; an unknown scope is refused by name.
        Assert.NotEqual(0xEF, (await ExportAsync(new { format = "csv", byteOrderMark = false }))[0]);
        var refused = await manager.PostRawAsync($"/api/v1/projects/{project.Id}/exports", new { format = "csv", scope = "everything" });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_csv_header_holds_every_data_key_in_the_order_items_first_show_it(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var project = await CreateProjectAsync(manager, "keys", overlap: 1);
        // Keys that appear in later items, several new at once, one only in the last item.
        var items = new object[]
        {
            new { text = "하나" },
            new { text = "둘", lang = "ko", source = "web" },
            new { text = "셋", zz_extra = 1 },
            new { text = "넷" },
            new { text = "다섯", a = true, lang = "en" },
        };
        var import = await manager.PostAsync<JobRunInfo>($"/api/v1/projects/{project.Id}/items", items);
        Assert.Equal(JobState.Succeeded, (await WaitForJobAsync(manager, import.Id)).State);

        async Task<string> ExportAsync(string format)
        {
            var job = await WaitForJobAsync(manager, (await manager.PostAsync<JobRunInfo>($"/api/v1/projects/{project.Id}/exports", new { format, byteOrderMark = false })).Id);
            Assert.Equal(JobState.Succeeded, job.State);
            var fileId = JsonSerializer.Deserialize<JsonElement>(job.Result!).GetProperty("fileId").GetGuid();
            return await manager.Http.GetStringAsync($"/api/v1/files/{fileId}");
        }

        // The order each item's data reads back in (PostgreSQL's jsonb keeps keys in its own order), first seen first.
        var expected = new List<string>();
        foreach (var line in (await ExportAsync("jsonl")).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            expected.AddRange(JsonDocument.Parse(line).RootElement.GetProperty("data").EnumerateObject().Select(p => p.Name).Where(k => !expected.Contains(k)));
        }
        Assert.Equal(["a", "lang", "source", "text", "zz_extra"], expected.Order());
        var header = (await ExportAsync("csv")).Split('\n')[0].TrimEnd('\r').Split(',');
        Assert.Equal(["item_id", .. expected.Select(k => "data." + k)], header.TakeWhile(h => h != "annotator"));
    }
}
