using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Labeling;
using LabelHub.Domain.Planning;
using LabelHub.IntegrationTests.Infrastructure;
using LabelHub.Web.Api;
using Microsoft.Extensions.DependencyInjection;
using static LabelHub.IntegrationTests.Api.ApiTestHelpers;

namespace LabelHub.IntegrationTests.Api;

/// <summary>
/// The OpenAPI document at /openapi/v1.json is the API's contract (issue 13): every operation in it — whoever added it —
/// says what it answers on success, with a schema a client can generate code from; the conflicts a client must handle
/// are declared; and for the key endpoints the schema names exactly the properties the server really sends.
/// </summary>
public sealed class OpenApiContractTests
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

    [Fact]
    public async Task Every_operation_declares_a_success_response_with_a_schema_and_the_busy_database()
    {
        await using var app = await LabelHubApp.StartAsync(TestDatabases.Sqlite);
        var document = await DocumentAsync(app);

        var offences = Offences(document);
        Assert.True(offences.Count == 0, $"{offences.Count} problem(s) in /openapi/v1.json:\n" + string.Join("\n", offences));
        // Not vacuous: the document lists the whole API.
        Assert.True(Operations(document).Count() > 60);
    }

    [Fact]
    public async Task The_conflicts_and_throttling_clients_must_handle_are_declared()
    {
        await using var app = await LabelHubApp.StartAsync(TestDatabases.Sqlite);
        var document = await DocumentAsync(app);

        // Each of these answers 409 in a state a client meets in normal use (ProblemDetailsHandler maps ConflictException,
        // GuidelineAcknowledgementRequiredException and TaskLimitReachedException to 409).
        (string Method, string Path)[] conflicts =
        [
            ("post", "/api/v1/projects/{projectId}/tasks/next"),
            ("post", "/api/v1/tasks/{assignmentId}/submit"),
            ("put", "/api/v1/tasks/{assignmentId}/draft"),
            ("post", "/api/v1/tasks/{assignmentId}/skip"),
            ("post", "/api/v1/annotations/{annotationId}/revise"),
            ("post", "/api/v1/annotations/{annotationId}/review"),
            ("post", "/api/v1/items/{itemId}/review"),
            ("post", "/api/v1/jobs/{jobId}/cancel"),
            ("post", "/api/v1/projects/{projectId}/learning/rounds"),
            ("post", "/api/v1/projects/{projectId}/learning/simulations"),
            ("post", "/api/v1/projects/{projectId}/synthesis/generators"),
            ("post", "/api/v1/projects/{projectId}/synthesis/generators/{version}/generate"),
            ("delete", "/api/v1/projects/{projectId}"),
            ("post", "/api/v1/join/{secret}"),
            ("post", "/api/v1/projects/{projectId}/crowd/members/{memberId}/approve"),
            ("post", "/api/v1/projects/{projectId}/crowd/members/{memberId}/reset-qualification"),
            ("post", "/api/v1/projects/{projectId}/releases/{number}/verify"),
        ];
        var missing = new List<string>();
        foreach (var (method, path) in conflicts)
        {
            if (Operation(document, method, path) is not { } operation)
            {
                missing.Add($"{method.ToUpperInvariant()} {path}: not in the document");
            }
            else if (!operation.GetProperty("responses").TryGetProperty("409", out _))
            {
                missing.Add($"{method.ToUpperInvariant()} {path}: no 409");
            }
        }
        if (Operation(document, "post", "/api/v1/auth/token") is not { } token || !token.GetProperty("responses").TryGetProperty("429", out _))
        {
            missing.Add("POST /api/v1/auth/token: no 429 (sign-in throttle)");
        }
        if (Operation(document, "post", "/api/v1/join/{secret}") is not { } join || !join.GetProperty("responses").TryGetProperty("429", out _))
        {
            missing.Add("POST /api/v1/join/{secret}: no 429 (crowd sign-up throttle)");
        }
        Assert.True(missing.Count == 0, "Undeclared statuses:\n" + string.Join("\n", missing));

        // The hand-out's 409 names the code a client reacts to by showing the guideline.
        var nextTask = Operation(document, "post", "/api/v1/projects/{projectId}/tasks/next")!.Value;
        Assert.Contains("guideline_acknowledgement_required", nextTask.GetProperty("responses").GetProperty("409").GetProperty("description").GetString());
        Assert.Equal("LabelHub API", document.GetProperty("info").GetProperty("title").GetString());
        Assert.True(document.GetProperty("components").GetProperty("securitySchemes").TryGetProperty(OpenApiSetup.TokenScheme, out _));
    }

    [Fact]
    public void The_check_finds_an_operation_without_a_success_response_or_schema()
    {
        var document = JsonDocument.Parse("""
            {
              "paths": {
                "/api/v1/a": { "get": { "responses": { "200": { "description": "OK" } } } },
                "/api/v1/b": { "post": { "responses": { "400": { "description": "Bad" }, "503": { "description": "Busy" } } } },
                "/api/v1/c": { "post": { "responses": { "201": { "description": "Created", "content": { "application/json": { } } }, "503": { "description": "Busy" } } } },
                "/api/v1/d": { "get": { "responses": { "200": { "description": "OK", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Gone" } } } }, "503": { "description": "Busy" } } } },
                "/api/v1/e": { "get": { "responses": { "200": { "description": "OK", "content": { "text/csv": { } } }, "204": { "description": "None" }, "503": { "description": "Busy" } } } }
              },
              "components": { "schemas": { } }
            }
            """).RootElement;

        var offences = Offences(document);

        Assert.Equal(
        [
            "GET /api/v1/a: 200 has no content: declare its type (.Produces<T>(200), or a file's content type)",
            "GET /api/v1/a: no 503 (the /api/v1 group declares it)",
            "POST /api/v1/b: no 2xx response (declare .Produces<T>(2xx) or .Produces(204))",
            "POST /api/v1/c: 201 application/json has no schema ($ref or type)",
            "GET /api/v1/d: 200 application/json refers to a missing schema #/components/schemas/Gone",
        ], offences);
    }

    [Fact]
    public async Task The_task_the_report_the_created_user_and_the_created_token_have_exactly_the_documented_properties()
    {
        await using var app = await LabelHubApp.StartAsync(TestDatabases.Sqlite);
        var document = await DocumentAsync(app);
        var admin = await app.AdminClientAsync();
        var mismatches = new List<string>();

        async Task<JsonElement> CheckAsync(HttpResponseMessage response, string method, string path, HttpStatusCode status)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == status, $"{method.ToUpperInvariant()} {path}: {(int)response.StatusCode} {body}");
            var value = JsonDocument.Parse(body).RootElement.Clone();
            var at = $"{method.ToUpperInvariant()} {path} {(int)status}";
            if (ResponseSchema(document, method, path, status) is { } schema)
            {
                CompareWithSchema(document, value, schema, at, mismatches);
            }
            else
            {
                mismatches.Add($"{at}: no application/json schema documented for what it sent");
            }
            return value;
        }

        // A created user (with its generated password) and a created token, both ways.
        var user = await CheckAsync(await admin.Http.PostAsJsonAsync("/api/v1/users", new NewUser("schema-ann", "Schema", "ann@example.com", [Roles.Annotator]), LabelHubApp.Json),
            "post", "/api/v1/users", HttpStatusCode.Created);
        await CheckAsync(await admin.Http.PostAsJsonAsync("/api/v1/me/tokens", new TokenRequest("contract", 7), LabelHubApp.Json),
            "post", "/api/v1/me/tokens", HttpStatusCode.Created);
        var password = user.GetProperty("generatedPassword").GetString()!;
        var annotatorId = user.GetProperty("user").GetProperty("id").GetGuid();

        // A script's token: refused (documented 403) while the password is the one an admin chose, then created.
        var anonymous = app.AnonymousClient().Http;
        Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.PostAsJsonAsync("/api/v1/auth/token", new AuthTokenRequest("schema-ann", password), LabelHubApp.Json)).StatusCode);
        using (var scope = app.Services.CreateScope())
        {
            Assert.True((await scope.ServiceProvider.GetRequiredService<UserAdminService>().ChangeOwnPasswordAsync(annotatorId, password, "Tangerine-Orbit-4417")).Succeeded);
        }
        await CheckAsync(await anonymous.PostAsJsonAsync("/api/v1/auth/token", new AuthTokenRequest("schema-ann", "Tangerine-Orbit-4417", "contract script"), LabelHubApp.Json),
            "post", "/api/v1/auth/token", HttpStatusCode.Created);

        // A project two annotators label, so the report has agreement, pairs and annotators to show.
        var manager = await app.CreateUserClientAsync("schema-boss", Roles.Manager);
        var project = await CreateProjectAsync(manager, "Contract", overlap: 2);
        var import = await manager.PostAsync<JobRunInfo>($"/api/v1/projects/{project.Id}/items", new[] { new { text = "good" }, new { text = "bad" }, new { text = "so-so" } });
        Assert.Equal(JobState.Succeeded, (await WaitForJobAsync(manager, import.Id)).State);
        var annotators = new[] { await app.ClientForAsync(annotatorId), await app.CreateUserClientAsync("schema-ann-2", Roles.Annotator) };
        foreach (var annotator in annotators)
        {
            await AddMemberAsync(manager, project.Id, annotator.UserId);
        }

        // A new guideline stops the hand-out with the documented 409 until it is acknowledged.
        var guideline = await manager.PostAsync<GuidelineView>($"/api/v1/projects/{project.Id}/guideline", new GuidelineRequest("# Rules", "first"));
        var refused = await annotators[0].Http.PostAsync($"/api/v1/projects/{project.Id}/tasks/next", null);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("guideline_acknowledgement_required", problem.GetProperty("code").GetString());
        Assert.Equal(guideline.Version, problem.GetProperty("guidelineVersion").GetInt32());

        string[] sentiments = ["positive", "negative"];
        for (var who = 0; who < annotators.Length; who++)
        {
            var client = annotators[who];
            await ApiClient.EnsureAsync(await client.PostRawAsync($"/api/v1/projects/{project.Id}/guideline/acknowledge", new AcknowledgeRequest(guideline.Version)));
            for (var n = 0; ; n++)
            {
                var response = await client.Http.PostAsync($"/api/v1/projects/{project.Id}/tasks/next", null);
                if (response.StatusCode == HttpStatusCode.NoContent)
                {
                    break;
                }
                var task = await CheckAsync(response, "post", "/api/v1/projects/{projectId}/tasks/next", HttpStatusCode.OK);
                var submit = await client.Http.PostAsJsonAsync($"/api/v1/tasks/{task.GetProperty("assignmentId").GetInt64()}/submit",
                    new SubmitRequest(Values(("sentiment", sentiments[(n + who) % 2 == 0 ? 0 : 1]), ("topics", new[] { "price" }), ("note", "ok")), DurationMs: 1500), LabelHubApp.Json);
                await CheckAsync(submit, "post", "/api/v1/tasks/{assignmentId}/submit", HttpStatusCode.OK);
            }
        }

        var recompute = await CheckAsync(await manager.Http.PostAsync($"/api/v1/projects/{project.Id}/quality/recompute", null),
            "post", "/api/v1/projects/{projectId}/quality/recompute", HttpStatusCode.Accepted);
        Assert.Equal(JobState.Succeeded, (await WaitForJobAsync(manager, recompute.GetProperty("id").GetGuid())).State);
        var report = await CheckAsync(await manager.Http.GetAsync($"/api/v1/projects/{project.Id}/quality"), "get", "/api/v1/projects/{projectId}/quality", HttpStatusCode.OK);
        // The comparison walked into the nested tables, not just the top level.
        Assert.NotEmpty(report.GetProperty("data").GetProperty("fields").EnumerateArray());
        Assert.NotEmpty(report.GetProperty("data").GetProperty("annotators").EnumerateArray());

        // The plan's estimate at the measured pace and the pipeline overview, with the report above behind them.
        await ApiClient.EnsureAsync(await manager.Http.PutAsJsonAsync($"/api/v1/projects/{project.Id}/plan", new PlanInput(new ProjectPlan
        {
            TargetItems = 10,
            SecondsPerLabel = 2,
            Annotators = 2,
            HoursPerDay = 1,
            CostPerHour = 20,
            Budget = 100,
            StartDate = new DateOnly(2026, 12, 7),
        }), LabelHubApp.Json));
        var estimate = await CheckAsync(await manager.Http.GetAsync($"/api/v1/projects/{project.Id}/plan/estimate"), "get", "/api/v1/projects/{projectId}/plan/estimate", HttpStatusCode.OK);
        Assert.Equal(JsonValueKind.Object, estimate.GetProperty("remaining").ValueKind);
        var pipeline = await CheckAsync(await manager.Http.GetAsync($"/api/v1/projects/{project.Id}/pipeline"), "get", "/api/v1/projects/{projectId}/pipeline", HttpStatusCode.OK);
        Assert.Equal(6, pipeline.GetProperty("stages").GetArrayLength());

        // A release, checked by its cut and checked again: the job and the release with its check are as documented.
        var cut = await CheckAsync(await manager.Http.PostAsJsonAsync($"/api/v1/projects/{project.Id}/releases", new { }, LabelHubApp.Json),
            "post", "/api/v1/projects/{projectId}/releases", HttpStatusCode.Accepted);
        Assert.Equal(JobState.Succeeded, (await WaitForJobAsync(manager, cut.GetProperty("id").GetGuid())).State);
        var verify = await CheckAsync(await manager.Http.PostAsync($"/api/v1/projects/{project.Id}/releases/1/verify", null),
            "post", "/api/v1/projects/{projectId}/releases/{number}/verify", HttpStatusCode.Accepted);
        Assert.Equal(JobState.Succeeded, (await WaitForJobAsync(manager, verify.GetProperty("id").GetGuid())).State);
        var release = await CheckAsync(await manager.Http.GetAsync($"/api/v1/projects/{project.Id}/releases/1"), "get", "/api/v1/projects/{projectId}/releases/{number}", HttpStatusCode.OK);
        Assert.True(release.GetProperty("check").GetProperty("matches").GetBoolean());

        Assert.True(mismatches.Count == 0, "Responses that differ from their documented schema:\n" + string.Join("\n", mismatches));
    }

    [Fact]
    public async Task The_reference_page_is_open_to_anyone_served_from_the_app_and_lets_only_its_own_inline_script_run()
    {
        await using var app = await LabelHubApp.StartAsync(TestDatabases.Sqlite);
        var anonymous = app.AnonymousClient().Http;

        var nonces = new List<string>();
        for (var visit = 0; visit < 2; visit++)
        {
            var response = await anonymous.GetAsync(ApiReference.Path + "/");
            var page = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {page}");
            var policy = response.Headers.GetValues("Content-Security-Policy").Single();
            var nonce = Regex.Match(policy, "script-src 'self' 'nonce-([A-Za-z0-9_-]{20,})';").Groups[1].Value;
            Assert.NotEmpty(nonce);
            Assert.DoesNotContain("unsafe-eval", policy, StringComparison.Ordinal);
            Assert.DoesNotMatch("script-src[^;]*unsafe-inline", policy);
            // Every script is the app's own: relative sources, and inline only with this response's nonce.
            var scripts = Regex.Matches(page, "<script[^>]*>").Select(m => m.Value).ToList();
            Assert.NotEmpty(scripts);
            Assert.All(scripts, script => Assert.Contains($"nonce=\"{nonce}\"", script, StringComparison.Ordinal));
            Assert.DoesNotMatch("src=\"(https?:)?//", page);
            nonces.Add(nonce);
        }
        Assert.NotEqual(nonces[0], nonces[1]);

        // Scalar's bundle comes from the package, with the site's strict policy; other pages keep theirs.
        var bundle = await anonymous.GetAsync(ApiReference.Path + "/scalar.js");
        Assert.Equal(HttpStatusCode.OK, bundle.StatusCode);
        Assert.True((await bundle.Content.ReadAsByteArrayAsync()).Length > 100_000);
        Assert.Equal(Web.SecurityHeaders.ContentSecurityPolicy, bundle.Headers.GetValues("Content-Security-Policy").Single());
        var login = await anonymous.GetAsync("/account/login");
        Assert.Equal(Web.SecurityHeaders.ContentSecurityPolicy, login.Headers.GetValues("Content-Security-Policy").Single());
    }

    private static async Task<JsonElement> DocumentAsync(LabelHubApp app)
    {
        // Open to anyone, like the reference page drawn from it.
        var response = await app.AnonymousClient().Http.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private static IEnumerable<(string Method, string Path, JsonElement Operation)> Operations(JsonElement document) =>
        from path in document.GetProperty("paths").EnumerateObject()
        from operation in path.Value.EnumerateObject()
        where Methods.Contains(operation.Name)
        select (operation.Name, path.Name, operation.Value);

    private static JsonElement? Operation(JsonElement document, string method, string path) =>
        document.GetProperty("paths").TryGetProperty(path, out var item) && item.TryGetProperty(method, out var operation) ? operation : null;

    private static JsonElement? ResponseSchema(JsonElement document, string method, string path, HttpStatusCode status) =>
        Operation(document, method, path) is { } operation
        && operation.GetProperty("responses").TryGetProperty(((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture), out var response)
        && response.TryGetProperty("content", out var content) && content.TryGetProperty("application/json", out var json) && json.TryGetProperty("schema", out var schema)
            ? schema
            : null;

    /// <summary>Every operation's missing success response, schema-less success body, dangling $ref and missing 503, all at once.</summary>
    private static List<string> Offences(JsonElement document)
    {
        var offences = new List<string>();
        var schemas = document.TryGetProperty("components", out var components) && components.TryGetProperty("schemas", out var s) ? s : default;
        foreach (var (method, path, operation) in Operations(document))
        {
            var name = $"{method.ToUpperInvariant()} {path}";
            var responses = operation.TryGetProperty("responses", out var r) ? r.EnumerateObject().ToList() : [];
            if (!responses.Any(response => response.Name.StartsWith('2')))
            {
                offences.Add($"{name}: no 2xx response (declare .Produces<T>(2xx) or .Produces(204))");
            }
            foreach (var response in responses.Where(response => response.Name is "200" or "201" or "202" or "206"))
            {
                if (!response.Value.TryGetProperty("content", out var content) || !content.EnumerateObject().Any())
                {
                    offences.Add($"{name}: {response.Name} has no content: declare its type (.Produces<T>({response.Name}), or a file's content type)");
                    continue;
                }
                // A file download that declares its own (non-JSON) content types needs no schema; a JSON body does.
                foreach (var media in content.EnumerateObject().Where(m => IsJson(m.Name)))
                {
                    if (!media.Value.TryGetProperty("schema", out var schema) || !(schema.TryGetProperty("$ref", out _) || schema.TryGetProperty("type", out _)))
                    {
                        offences.Add($"{name}: {response.Name} {media.Name} has no schema ($ref or type)");
                    }
                    else if (schema.TryGetProperty("$ref", out var reference) && !Resolves(schemas, reference.GetString()!))
                    {
                        offences.Add($"{name}: {response.Name} {media.Name} refers to a missing schema {reference.GetString()}");
                    }
                }
            }
            if (path.StartsWith("/api/v1/", StringComparison.Ordinal) && !responses.Any(response => response.Name == "503"))
            {
                offences.Add($"{name}: no 503 (the /api/v1 group declares it)");
            }
        }
        return offences;
    }

    private static bool IsJson(string mediaType) =>
        mediaType.StartsWith("application/json", StringComparison.Ordinal) || mediaType.Contains("+json", StringComparison.Ordinal);

    private static bool Resolves(JsonElement schemas, string reference) =>
        reference.StartsWith("#/components/schemas/", StringComparison.Ordinal) && schemas.ValueKind == JsonValueKind.Object
        && schemas.TryGetProperty(reference["#/components/schemas/".Length..], out _);

    /// <summary>
    /// Walks a response and its schema together: every object has exactly the properties its schema names (none missing,
    /// none undocumented), and every value has a JSON kind its schema allows. Dictionaries (additionalProperties) are free-form.
    /// </summary>
    private static void CompareWithSchema(JsonElement document, JsonElement value, JsonElement schema, string at, List<string> mismatches)
    {
        schema = Resolve(document, schema);
        if (schema.TryGetProperty("oneOf", out var oneOf) || schema.TryGetProperty("anyOf", out oneOf))
        {
            // Nullable references come as oneOf [null, $ref].
            var options = oneOf.EnumerateArray().Select(o => Resolve(document, o)).ToList();
            var nonNull = options.Where(o => !AllowsOnly(o, "null")).ToList();
            if (value.ValueKind == JsonValueKind.Null)
            {
                if (nonNull.Count == options.Count)
                {
                    mismatches.Add($"{at}: null, which the schema does not allow");
                }
                return;
            }
            if (nonNull.Count == 1)
            {
                CompareWithSchema(document, value, nonNull[0], at, mismatches);
            }
            return;
        }
        if (schema.TryGetProperty("type", out var type))
        {
            var allowed = type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()!).ToList() : [type.GetString()!];
            var kind = value.ValueKind switch
            {
                JsonValueKind.Object => "object",
                JsonValueKind.Array => "array",
                JsonValueKind.String => "string",
                JsonValueKind.Number => value.TryGetInt64(out _) && allowed.Contains("integer") ? "integer" : "number",
                JsonValueKind.True or JsonValueKind.False => "boolean",
                _ => "null",
            };
            if (!allowed.Contains(kind) && !(kind == "integer" && allowed.Contains("number")))
            {
                mismatches.Add($"{at}: a {kind}, documented as {string.Join(" or ", allowed)}");
                return;
            }
        }
        if (value.ValueKind == JsonValueKind.Array && schema.TryGetProperty("items", out var items))
        {
            var index = 0;
            foreach (var element in value.EnumerateArray().Take(5))
            {
                CompareWithSchema(document, element, items, $"{at}[{index++}]", mismatches);
            }
        }
        else if (value.ValueKind == JsonValueKind.Object && schema.TryGetProperty("properties", out var properties))
        {
            var documented = properties.EnumerateObject().Select(p => p.Name).ToHashSet();
            var sent = value.EnumerateObject().Select(p => p.Name).ToHashSet();
            foreach (var missing in documented.Except(sent).Order())
            {
                mismatches.Add($"{at}: documents \"{missing}\", which the response does not have");
            }
            foreach (var extra in sent.Except(documented).Order())
            {
                mismatches.Add($"{at}: sends \"{extra}\", which the schema does not name");
            }
            foreach (var property in value.EnumerateObject().Where(p => documented.Contains(p.Name)))
            {
                CompareWithSchema(document, property.Value, properties.GetProperty(property.Name), $"{at}.{property.Name}", mismatches);
            }
        }
    }

    private static bool AllowsOnly(JsonElement schema, string type) =>
        schema.TryGetProperty("type", out var t) && (t.ValueKind == JsonValueKind.String ? t.GetString() == type : t.EnumerateArray().All(x => x.GetString() == type));

    private static JsonElement Resolve(JsonElement document, JsonElement schema)
    {
        while (schema.TryGetProperty("$ref", out var reference))
        {
            var name = reference.GetString()!["#/components/schemas/".Length..];
            schema = document.GetProperty("components").GetProperty("schemas").GetProperty(name);
        }
        return schema;
    }
}
