using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static LabelHub.E2E.Steps;
using static Microsoft.Playwright.Assertions;

namespace LabelHub.E2E;

/// <summary>
/// The product's first flow in a real browser, with one browser context per person (as if on three machines):
/// an admin sets up users and a token, a manager creates a project and imports items, the admin writes the
/// guideline, an annotator labels everything with the keyboard, and the manager sees the progress and exports.
/// </summary>
public sealed class FoundationFlowTests
{
    /// <summary>The first load of a page starts Blazor and its circuit, which is slow on a busy machine.</summary>

    /// <summary>Imports and exports run as background jobs.</summary>
    private const float JobTimeout = 60_000;

    private static readonly string[] Reviews =
    [
        "Great product, would buy again",
        "Terrible support. Never again.",
        "It was okay I guess",
    ];

    [Fact]
    public async Task Admin_manager_and_annotator_walk_the_first_flow()
    {
        SetDefaultExpectTimeout(20_000);
        var app = await AppProcess.StartAsync();
        IPlaywright? playwright = null;
        IBrowser? browser = null;
        var contexts = new List<IBrowserContext>();
        // The open page of each person, for a screenshot when something fails.
        var pages = new Dictionary<string, IPage>();
        var browserLog = new StringBuilder();
        var tempFiles = new List<string>();
        try
        {
            var (launchedPlaywright, launchedBrowser) = await Browser.LaunchAsync();
            playwright = launchedPlaywright;
            browser = launchedBrowser;

            async Task<IPage> NewPersonAsync(string who, string? locale = null)
            {
                var context = await launchedBrowser.NewContextAsync(new BrowserNewContextOptions
                {
                    BaseURL = app.BaseUrl,
                    Locale = locale ?? "en-US",
                    ViewportSize = new ViewportSize { Width = 1400, Height = 900 },
                });
                context.SetDefaultTimeout(20_000);
                context.SetDefaultNavigationTimeout(FirstLoadTimeout);
                contexts.Add(context);
                var page = await context.NewPageAsync();
                page.Console += (_, message) =>
                {
                    if (message.Type is "error" or "warning")
                    {
                        lock (browserLog)
                        {
                            browserLog.AppendLine(CultureInfo.InvariantCulture, $"[{who} {message.Type}] {message.Text}");
                        }
                    }
                };
                page.PageError += (_, error) =>
                {
                    lock (browserLog)
                    {
                        browserLog.AppendLine(CultureInfo.InvariantCulture, $"[{who} page error] {error}");
                    }
                };
                pages[who] = page;
                return page;
            }

            try
            {
                // ---------------------------------------------------------------- 1. Admin creates users
                var admin = await NewPersonAsync("admin");
                await SignInAsync(admin, "admin", app.AdminPassword());
                await Expect(admin.GetByTestId("current-user")).ToHaveTextAsync("admin");

                await GoToAsync(admin, "/admin/users");
                await Expect(admin.GetByTestId("users-table")).ToBeVisibleAsync();
                var minaPassword = await CreateUserAsync(admin, "mina", "Manager");
                var junPassword = await CreateUserAsync(admin, "jun", "Annotator");

                var minaRow = UserRow(admin, "mina");
                await Expect(minaRow.Locator("[data-testid=user-role-chip][data-role=Manager]")).ToBeVisibleAsync();
                await Expect(minaRow.Locator("[data-testid=user-role-chip]")).ToHaveCountAsync(1);
                await Expect(minaRow.GetByTestId("user-roles")).ToContainTextAsync("Manager");
                var junRow = UserRow(admin, "jun");
                await Expect(junRow.Locator("[data-testid=user-role-chip][data-role=Annotator]")).ToBeVisibleAsync();
                await Expect(junRow.Locator("[data-testid=user-role-chip]")).ToHaveCountAsync(1);
                await Expect(junRow.GetByTestId("user-roles")).ToContainTextAsync("Annotator");
                await Expect(junRow.GetByTestId("user-active")).ToBeVisibleAsync();
                await ShotAsync(admin, "01-admin-users");

                // ---------------------------------------------------------------- 2. Admin creates an API token
                await GoToAsync(admin, "/account/tokens");
                await admin.GetByTestId("token-name").FillAsync("ci");
                await admin.GetByTestId("create-token").ClickAsync();
                await Expect(admin.GetByTestId("new-token")).ToHaveTextAsync(new Regex(@"^\s*\S{20,}\s*$"));
                var token = (await admin.GetByTestId("new-token").InnerTextAsync()).Trim();
                await Expect(admin.GetByTestId("token-row")).ToHaveCountAsync(1);
                await Expect(admin.GetByTestId("token-row").First).ToContainTextAsync("ci");
                await Expect(admin.GetByTestId("token-active")).ToBeVisibleAsync();
                await ShotAsync(admin, "02-admin-token");

                using (var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl) })
                {
                    using var withToken = new HttpRequestMessage(HttpMethod.Get, "/api/v1/projects");
                    withToken.Headers.Authorization = new AuthenticationHeaderValue("Token", token);
                    using var ok = await http.SendAsync(withToken);
                    Assert.True(ok.StatusCode == HttpStatusCode.OK, $"GET /api/v1/projects with the token: {(int)ok.StatusCode} {await ok.Content.ReadAsStringAsync()}");
                    using var anonymous = await http.GetAsync("/api/v1/projects");
                    Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
                    using var wrong = new HttpRequestMessage(HttpMethod.Get, "/api/v1/projects");
                    wrong.Headers.Authorization = new AuthenticationHeaderValue("Token", token + "x");
                    using var rejected = await http.SendAsync(wrong);
                    Assert.Equal(HttpStatusCode.Unauthorized, rejected.StatusCode);
                }

                // ---------------------------------------------------------------- 3. Manager creates the project
                var manager = await NewPersonAsync("manager");
                await SignInAsync(manager, "mina", minaPassword);
                await Expect(manager.GetByTestId("current-user")).ToHaveTextAsync("mina");
                await Expect(manager.GetByTestId("projects-empty")).ToBeVisibleAsync();

                await GoToAsync(manager, "/projects/new");
                await manager.GetByTestId("project-name").FillAsync("Reviews");
                await manager.GetByTestId("project-overlap").FillAsync("1");
                await manager.GetByTestId("field-name-0").FillAsync("sentiment");
                await SelectFieldKindAsync(manager, 0, "Choice");
                await manager.GetByTestId("field-labels-0").FillAsync("positive\nnegative\nneutral");
                await Expect(manager.GetByTestId("field-label-chips-0")).ToHaveTextAsync(new Regex(@"positive\s*negative\s*neutral"));
                var required = Checkbox(manager, "field-required-0");
                if (!await required.IsCheckedAsync())
                {
                    await required.CheckAsync();
                }
                await Expect(required).ToBeCheckedAsync();

                await manager.GetByTestId("add-field").ClickAsync();
                await Expect(manager.GetByTestId("field-1")).ToBeVisibleAsync();
                await manager.GetByTestId("field-name-1").FillAsync("note");
                await SelectFieldKindAsync(manager, 1, "Text");
                // Only a text field has these settings; a choice field has labels instead.
                await Expect(manager.GetByTestId("field-max-length-1")).ToBeVisibleAsync();
                await Expect(manager.GetByTestId("field-labels-1")).ToHaveCountAsync(0);
                await Expect(Checkbox(manager, "field-required-1")).Not.ToBeCheckedAsync();
                await ShotAsync(manager, "03-manager-new-project");

                await manager.GetByTestId("save-project").ClickAsync();
                await Expect(manager).ToHaveURLAsync(new Regex(@"/projects/[0-9a-fA-F-]{36}$"));
                var projectId = Regex.Match(manager.Url, @"/projects/([0-9a-fA-F-]{36})$").Groups[1].Value;
                await Expect(manager.GetByTestId("project-name")).ToHaveTextAsync("Reviews");
                await Expect(manager.GetByTestId("progress-items")).ToContainTextAsync("0 of 0 items done");
                await Expect(manager.GetByTestId("jobs-empty")).ToBeVisibleAsync();
                await ShotAsync(manager, "04-manager-project");

                // A new project lists its next steps: the schema is there, the rest is to do.
                await Expect(manager.Locator("[data-testid=checklist-step][data-step=schema]")).ToHaveAttributeAsync("data-done", "true");
                await Expect(manager.Locator("[data-testid=checklist-step][data-step=import]")).ToHaveAttributeAsync("data-done", "false");
                await manager.GetByTestId("checklist-go-members").ClickAsync();
                await Expect(manager.GetByTestId("members-section")).ToBeVisibleAsync();
                await SelectTabAsync(manager, "Settings");
                // What was saved comes back in the editor.
                await Expect(manager.GetByTestId("field-name-0")).ToHaveValueAsync("sentiment");
                await Expect(manager.GetByTestId("field-name-1")).ToHaveValueAsync("note");
                await SelectTabAsync(manager, "Members");
                await manager.GetByTestId("member-picker").FillAsync("jun");
                await manager.Locator("[data-testid=member-option][data-username=jun]").ClickAsync();
                await Expect(manager.GetByTestId("add-member")).ToBeEnabledAsync();
                await manager.GetByTestId("add-member").ClickAsync();
                await Expect(manager.Locator("[data-testid=member-row][data-username=jun]")).ToBeVisibleAsync();
                await Expect(manager.Locator("[data-testid=member-row][data-username=jun]")).ToContainTextAsync("Annotator");
                await ShotAsync(manager, "05-manager-members");

                // ---------------------------------------------------------------- 4. Admin writes the guideline
                await GoToAsync(admin, $"/projects/{projectId}/guideline");
                await Expect(admin.GetByTestId("guideline-empty")).ToBeVisibleAsync();
                await admin.GetByTestId("guideline-edit").ClickAsync();
                await admin.GetByTestId("guideline-markdown").FillAsync("# Sentiment\n\nPick the **overall** tone.");
                await admin.GetByTestId("guideline-change-note").FillAsync("First version");
                // The preview is rendered on the server, so it shows once the (debounced) text has arrived there.
                await Expect(admin.GetByTestId("guideline-preview").Locator("h1")).ToHaveTextAsync("Sentiment");
                await Expect(admin.GetByTestId("guideline-preview").Locator("strong")).ToHaveTextAsync("overall");
                await admin.GetByTestId("guideline-save").ClickAsync();
                await Expect(admin.GetByTestId("guideline-editor")).ToHaveCountAsync(0);
                await Expect(admin.GetByTestId("guideline-version")).ToHaveTextAsync("Version 1");
                await Expect(admin.GetByTestId("guideline-content").Locator("h1")).ToHaveTextAsync("Sentiment");
                await Expect(admin.GetByTestId("guideline-content")).ToContainTextAsync("Pick the overall tone.");
                await Expect(admin.GetByTestId("guideline-meta")).ToContainTextAsync("admin");
                await Expect(admin.GetByTestId("guideline-history-1")).ToContainTextAsync("First version");
                await ShotAsync(admin, "06-admin-guideline");

                // ---------------------------------------------------------------- 5. Manager imports items
                await manager.GetByTestId("back-to-project").ClickAsync();
                await Expect(manager.GetByTestId("project-import")).ToBeVisibleAsync();
                await manager.GetByTestId("project-import").ClickAsync();
                await Expect(manager.GetByTestId("import-formats")).ToBeVisibleAsync();

                var goodCsv = WriteTempFile(tempFiles, "reviews.csv",
                    "text\n" +
                    $"\"{Reviews[0]}\"\n" +
                    $"{Reviews[1]}\n" +
                    $"{Reviews[2]}\n" +
                    $"{Reviews[1]}\n");
                await FileInput(manager).SetInputFilesAsync(goodCsv);
                await Expect(manager.GetByTestId("import-success")).ToBeVisibleAsync(new() { Timeout = JobTimeout });
                await Expect(manager.GetByTestId("import-imported")).ToHaveTextAsync("Imported 3 items.");
                await Expect(manager.GetByTestId("import-duplicates")).ToContainTextAsync("Skipped 1 exact duplicates.");
                await Expect(manager.GetByTestId("import-duplicates")).ToContainTextAsync("Lines: 5");
                await ShotAsync(manager, "07-manager-import-success");

                await manager.GetByTestId("import-another").ClickAsync();
                await Expect(manager.GetByTestId("import-job")).ToHaveCountAsync(0);
                var badCsv = WriteTempFile(tempFiles, "bad.csv",
                    "text,source\n" +
                    "\"Fine, really\",web\n" +
                    "this row has no source\n" +
                    "Another one,app\n");
                await FileInput(manager).SetInputFilesAsync(badCsv);
                await Expect(manager.GetByTestId("import-failed")).ToBeVisibleAsync(new() { Timeout = JobTimeout });
                await Expect(manager.GetByTestId("import-failed")).ToContainTextAsync("Nothing was imported.");
                var errorRows = manager.GetByTestId("import-errors").GetByTestId("import-error-row");
                await Expect(errorRows).ToHaveCountAsync(1);
                await Expect(errorRows.First.Locator("td").First).ToHaveTextAsync("3");
                await Expect(errorRows.First.Locator("td").Nth(1)).ToContainTextAsync("expected 2 fields");
                await ShotAsync(manager, "08-manager-import-failed");

                // ---------------------------------------------------------------- 6. Annotator labels with the keyboard
                var annotator = await NewPersonAsync("annotator");
                await SignInAsync(annotator, "jun", junPassword);
                await Expect(annotator.GetByTestId("current-user")).ToHaveTextAsync("jun");
                await Expect(annotator.Locator("[data-testid=project-row]")).ToHaveCountAsync(1);
                await annotator.GetByTestId("project-link").ClickAsync();
                await Expect(annotator.GetByTestId("my-count")).ToContainTextAsync("You have labeled 0 items");
                // Annotators neither import nor change settings.
                await Expect(annotator.GetByTestId("project-import")).ToHaveCountAsync(0);
                await Expect(annotator.GetByTestId("project-settings")).ToHaveCountAsync(0);
                await annotator.GetByTestId("project-label").ClickAsync();
                // The guideline in force must be read and acknowledged before the first task.
                await Expect(annotator.GetByTestId("guideline-ack")).ToContainTextAsync("version 1");
                await Expect(annotator.GetByTestId("guideline-ack-content")).ToContainTextAsync("Pick the overall tone.");
                await ShotAsync(annotator, "09-annotator-acknowledge");
                await annotator.GetByTestId("guideline-ack-confirm").ClickAsync();
                await Expect(annotator.GetByTestId("item-text")).ToBeVisibleAsync();
                await Expect(annotator.GetByTestId("done-count")).ToHaveTextAsync("Done in this project: 0");
                // The page registers its key handler right after its first interactive render.
                await annotator.WaitForFunctionAsync("() => !!(window.labelHub && window.labelHub._handler)");

                var drawer = annotator.GetByTestId("guideline-drawer");
                await annotator.Keyboard.PressAsync("g");
                await Expect(drawer).ToHaveClassAsync(new Regex(@"\bmud-drawer--open\b"));
                await Expect(annotator.GetByTestId("guideline-drawer-version")).ToHaveTextAsync("Version 1");
                await Expect(annotator.GetByTestId("guideline-drawer-content").Locator("h1")).ToHaveTextAsync("Sentiment");
                await Expect(annotator.GetByTestId("guideline-drawer-content")).ToContainTextAsync("Pick the overall tone.");
                // Slid in completely: its close button, at the far edge, is on screen.
                var closeGuideline = drawer.GetByRole(AriaRole.Button, new() { Name = "Close" });
                await Expect(closeGuideline).ToBeInViewportAsync(new() { Ratio = 1 });
                await ShotAsync(annotator, "09-annotator-guideline-drawer");
                await annotator.Keyboard.PressAsync("Escape");
                await Expect(drawer).ToHaveClassAsync(new Regex(@"\bmud-drawer--closed\b"));
                await Expect(closeGuideline).Not.ToBeInViewportAsync();
                await annotator.Keyboard.PressAsync("g");
                await Expect(drawer).ToHaveClassAsync(new Regex(@"\bmud-drawer--open\b"));
                await annotator.Keyboard.PressAsync("g");
                await Expect(drawer).ToHaveClassAsync(new Regex(@"\bmud-drawer--closed\b"));

                var labeled = new List<string>();
                var submitToNextMs = new List<double>();
                for (var done = 0; done < Reviews.Length; done++)
                {
                    var itemText = (await annotator.GetByTestId("item-text").InnerTextAsync()).Trim();
                    Assert.DoesNotContain(itemText, labeled);
                    labeled.Add(itemText);
                    await annotator.Keyboard.PressAsync("1");
                    await Expect(annotator.GetByTestId("choice-sentiment-positive")).ToHaveAttributeAsync("data-selected", "true");
                    await Expect(annotator.GetByTestId("choice-sentiment-negative")).ToHaveAttributeAsync("data-selected", "false");
                    if (done == 0)
                    {
                        await ShotAsync(annotator, "10-annotator-task");
                    }
                    if (done < Reviews.Length - 1)
                    {
                        // The next item was reserved in the background: time from Enter to the new item on screen.
                        await annotator.WaitForTimeoutAsync(300);
                        submitToNextMs.Add(await MeasureSubmitToNextItemAsync(annotator, itemText));
                    }
                    else
                    {
                        await annotator.Keyboard.PressAsync("Enter");
                    }
                    await Expect(annotator.GetByTestId("done-count")).ToHaveTextAsync($"Done in this project: {done + 1}");
                    if (done < Reviews.Length - 1)
                    {
                        await Expect(annotator.GetByTestId("item-text")).Not.ToHaveTextAsync(itemText);
                        // A fresh task starts with no answer.
                        await Expect(annotator.GetByTestId("choice-sentiment-positive")).ToHaveAttributeAsync("data-selected", "false");
                    }
                }
                await Expect(annotator.GetByTestId("no-more-tasks")).ToBeVisibleAsync();
                await Expect(annotator.GetByTestId("item-text")).ToHaveCountAsync(0);
                Assert.Equal(Reviews.Order(), labeled.Order());
                await ShotAsync(annotator, "11-annotator-no-more-tasks");
                ReportLatency("Workbench submit → next item on screen (ms)", submitToNextMs);

                // ---------------------------------------------------------------- 7. Manager sees progress and exports
                await GoToAsync(manager, $"/projects/{projectId}");
                await Expect(manager.GetByTestId("progress-items")).ToHaveTextAsync("3 of 3 items done");
                await Expect(manager.GetByTestId("progress-annotations")).ToHaveTextAsync("3");
                var annotatorRows = manager.GetByTestId("annotator-row");
                await Expect(annotatorRows).ToHaveCountAsync(1);
                await Expect(annotatorRows.First.Locator("td").First).ToHaveTextAsync("jun");
                await Expect(annotatorRows.First.Locator("td").Nth(1)).ToHaveTextAsync("3");
                await Expect(manager.Locator("[data-testid=job-row][data-job-kind=import]")).ToHaveCountAsync(2);
                await Expect(manager.Locator("[data-testid=job-row][data-job-kind=import][data-job-state=Succeeded]")).ToHaveCountAsync(1);
                var failedImport = manager.Locator("[data-testid=job-row][data-job-kind=import][data-job-state=Failed]");
                await Expect(failedImport).ToHaveCountAsync(1);
                await failedImport.GetByTestId("job-bad-rows-toggle").ClickAsync();
                await Expect(manager.GetByTestId("job-bad-rows").GetByTestId("import-error-row").First.Locator("td").First).ToHaveTextAsync("3");
                await ShotAsync(manager, "12-manager-progress");

                // The export dialog: CSV of the labeled items, with the byte-order mark Excel needs (on by default).
                await manager.GetByTestId("export-open").ClickAsync();
                await manager.GetByTestId("export-format-csv").ClickAsync();
                await Expect(manager.GetByTestId("export-bom")).ToBeCheckedAsync();
                await manager.GetByTestId("export-scope").ClickAsync();
                await manager.GetByRole(AriaRole.Option, new() { Name = "Labeled items only" }).ClickAsync();
                await ShotAsync(manager, "13-manager-export-dialog");
                await manager.GetByTestId("export-start").ClickAsync();
                var download = manager.GetByTestId("job-download");
                await Expect(download).ToBeVisibleAsync(new() { Timeout = JobTimeout });
                await Expect(download).ToContainTextAsync("3 items");
                await Expect(manager.Locator("[data-testid=job-row][data-job-kind=export][data-job-state=Succeeded]")).ToHaveCountAsync(1);
                await ShotAsync(manager, "13-manager-export");

                var href = await download.GetAttributeAsync("href");
                Assert.NotNull(href);
                Assert.Matches(@"\.csv$", await download.GetAttributeAsync("download") ?? "");
                var response = await manager.Context.APIRequest.GetAsync(href!);
                Assert.True(response.Ok, $"GET {href}: {response.Status} {await response.TextAsync()}");
                var bytes = await response.BodyAsync();
                Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
                var csv = ParseCsv(System.Text.Encoding.UTF8.GetString(bytes[3..]));
                var header = csv[0];
                int Column(string name)
                {
                    var index = Array.IndexOf(header, name);
                    Assert.True(index >= 0, $"The export has no column '{name}': {string.Join(",", header)}");
                    return index;
                }
                var textColumn = Column("data.text");
                var annotatorColumn = Column("annotator");
                var sentimentColumn = Column("sentiment");
                var finalColumn = Column("final.sentiment");
                Column("note");
                var answers = csv.Skip(1).Where(row => row.Length == header.Length && row[annotatorColumn] == "jun").ToList();
                Assert.Equal(3, answers.Count);
                Assert.Equal(Reviews.Order(), answers.Select(row => row[textColumn]).Order());
                Assert.All(answers, row => Assert.Equal("positive", row[sentimentColumn]));
                Assert.All(answers, row => Assert.Equal("positive", row[finalColumn]));

                // Without the manager's cookie the file is not handed out.
                var anonymousRequest = await launchedPlaywright.APIRequest.NewContextAsync(new() { BaseURL = app.BaseUrl });
                try
                {
                    var refused = await anonymousRequest.GetAsync(href!, new() { MaxRedirects = 0 });
                    Assert.Equal(401, refused.Status);
                }
                finally
                {
                    await anonymousRequest.DisposeAsync();
                }

                // ---------------------------------------------------------------- Sign-out
                await admin.GetByTestId("logout").ClickAsync();
                await Expect(admin).ToHaveURLAsync(new Regex("/account/login"));
                await Expect(admin.GetByTestId("login-form")).ToBeVisibleAsync();
                await GoToAsync(admin, "/admin/users", waitForApp: false);
                await Expect(admin).ToHaveURLAsync(new Regex(@"/account/login\?returnUrl=", RegexOptions.IgnoreCase));

                // ---------------------------------------------------------------- 8. Korean
                var korean = await NewPersonAsync("korean", locale: "ko-KR");
                await korean.GotoAsync("/account/login");
                await Expect(korean.GetByTestId("login-submit")).ToHaveTextAsync("로그인");
                await Expect(korean.Locator("html")).ToHaveAttributeAsync("lang", "ko");
                await ShotAsync(korean, "14-korean-login");

                // ---------------------------------------------------------------- Nothing broke on the way
                foreach (var (who, page) in pages)
                {
                    await Expect(page.Locator("#blazor-error-ui"), $"{who}'s page shows Blazor's error bar").ToBeHiddenAsync();
                }
                lock (browserLog)
                {
                    Assert.DoesNotContain("page error]", browserLog.ToString());
                }
                var serverErrors = app.Output.Split('\n').Where(line => line.Contains(" ERR] ") || line.Contains(" FTL] ")).ToList();
                Assert.True(serverErrors.Count == 0, "LabelHub logged errors:\n" + string.Join("\n", serverErrors));
            }
            catch (Exception ex)
            {
                foreach (var (who, page) in pages)
                {
                    try
                    {
                        await Browser.ScreenshotAsync(page, $"failure-{who}");
                    }
                    catch (PlaywrightException)
                    {
                        // The page may be gone; the other screenshots still help.
                    }
                }
                string log;
                lock (browserLog)
                {
                    log = browserLog.ToString();
                }
                throw new Exception(
                    $"{ex.Message}\n\nPages: {string.Join(", ", pages.Select(p => $"{p.Key}={p.Value.Url}"))}" +
                    $"\n\n--- browser console ---\n{log}\n--- LabelHub output ---\n{app.Output}", ex);
            }
        }
        finally
        {
            foreach (var context in contexts)
            {
                await IgnoreErrorsAsync(() => context.CloseAsync());
            }
            if (browser is not null)
            {
                await IgnoreErrorsAsync(() => browser.CloseAsync());
                await IgnoreErrorsAsync(async () => await browser.DisposeAsync());
            }
            playwright?.Dispose();
            await app.DisposeAsync();
            foreach (var file in tempFiles)
            {
                await IgnoreErrorsAsync(() =>
                {
                    Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
                    return Task.CompletedTask;
                });
            }
        }
    }

    /// <summary>Creates a user with one role and an empty password field; returns the generated one-time password.</summary>
    private static async Task<string> CreateUserAsync(IPage page, string userName, string role)
    {
        await page.GetByTestId("new-user").ClickAsync();
        await page.GetByTestId("new-user-name").FillAsync(userName);
        foreach (var candidate in new[] { "Admin", "Manager", "Reviewer", "Annotator" })
        {
            var box = Checkbox(page, $"new-user-role-{candidate}");
            if (candidate == role)
            {
                await box.CheckAsync();
                await Expect(box).ToBeCheckedAsync();
            }
            else if (await box.IsCheckedAsync())
            {
                await box.UncheckAsync();
                await Expect(box).Not.ToBeCheckedAsync();
            }
        }
        await Expect(page.GetByTestId("new-user-password")).ToHaveValueAsync("");
        await page.GetByTestId("create-user").ClickAsync();
        var secret = page.GetByTestId("generated-password");
        await Expect(secret).ToHaveTextAsync(new Regex(@"^\s*\S{10,}\s*$"));
        var password = (await secret.InnerTextAsync()).Trim();
        await ShotAsync(page, $"01-admin-password-{userName}");
        await page.GetByTestId("close-password-dialog").ClickAsync();
        await Expect(secret).ToHaveCountAsync(0);
        await Expect(UserRow(page, userName)).ToBeVisibleAsync();
        return password;
    }

    private static ILocator UserRow(IPage page, string userName) =>
        page.Locator($"[data-testid=user-row][data-username='{userName}']");

    /// <summary>The checkbox input of a MudCheckBox or MudSwitch, wherever MudBlazor put the test id.</summary>
    private static ILocator Checkbox(IPage page, string testId) =>
        page.Locator($"input[type=checkbox][data-testid='{testId}'], [data-testid='{testId}'] input[type=checkbox]");

    /// <summary>Opens a field's kind MudSelect and picks a kind from its popover.</summary>
    private static async Task SelectFieldKindAsync(IPage page, int field, string kind)
    {
        await page.GetByTestId($"field-kind-{field}").ClickAsync();
        await page.GetByTestId($"field-kind-option-{kind}").Filter(new() { Visible = true }).ClickAsync();
        await Expect(page.GetByTestId($"field-kind-option-{kind}").Filter(new() { Visible = true })).ToHaveCountAsync(0);
    }

    /// <summary>
    /// The file input that "Choose a file to import" opens. MudFileUpload keeps earlier inputs around, hidden with d-none,
    /// and opens a fresh one each time.
    /// </summary>
    private static ILocator FileInput(IPage page) =>
        page.Locator("input[type=file][data-testid=import-upload]:not(.d-none)");

    private static string WriteTempFile(List<string> files, string name, string content)
    {
        var dir = Directory.CreateTempSubdirectory("labelhub-e2e-upload-").FullName;
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, content, new UTF8Encoding(false));
        files.Add(path);
        return path;
    }

    /// <summary>RFC 4180: quoted fields may hold commas, quotes ("") and line breaks.</summary>
    private static List<string[]> ParseCsv(string text)
    {
        var rows = new List<string[]>();
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                row.Add(field.ToString());
                field.Clear();
            }
            else if (c is '\n' or '\r')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }
                row.Add(field.ToString());
                field.Clear();
                rows.Add([.. row]);
                row.Clear();
            }
            else
            {
                field.Append(c);
            }
        }
        if (field.Length > 0 || row.Count > 0)
        {
            row.Add(field.ToString());
            rows.Add([.. row]);
        }
        return rows;
    }

    /// <summary>
    /// Presses Enter the way a person does (a keydown the page's shortcut handler sees) and resolves with the
    /// milliseconds until the item text on screen is a different one.
    /// </summary>
    private static Task<double> MeasureSubmitToNextItemAsync(IPage page, string currentText) =>
        page.EvaluateAsync<double>(
            """
            (before) => new Promise(resolve => {
              const start = performance.now();
              const changed = () => {
                const el = document.querySelector('[data-testid=item-text]');
                return el && el.textContent.trim() !== before;
              };
              const observer = new MutationObserver(() => {
                if (changed()) { observer.disconnect(); resolve(performance.now() - start); }
              });
              observer.observe(document.body, { subtree: true, childList: true, characterData: true });
              document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
            })
            """,
            currentText);

    /// <summary>Prints the figures and keeps them with the screenshots (a measurement, not a pass/fail threshold).</summary>
    private static void ReportLatency(string what, IReadOnlyList<double> samples)
    {
        var line = $"{what}: {string.Join(", ", samples.Select(ms => ms.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)))}";
        Console.WriteLine(line);
        var root = Environment.GetEnvironmentVariable("LABELHUB_ARTIFACTS_DIR");
        var dir = string.IsNullOrEmpty(root) ? Path.Combine(AppContext.BaseDirectory, "artifacts") : root;
        Directory.CreateDirectory(dir);
        File.AppendAllText(Path.Combine(dir, "workbench-latency.txt"), $"{DateTimeOffset.UtcNow:O} {line}{Environment.NewLine}");
    }
}
