using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LabelHub.Domain.Collection;
using LabelHub.Domain.Identity;
using LabelHub.Domain.Jobs;
using LabelHub.Domain.Labeling;
using LabelHub.IntegrationTests.Infrastructure;
using LabelHub.Web.Api;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static LabelHub.IntegrationTests.Api.ApiTestHelpers;

namespace LabelHub.IntegrationTests.Api;

/// <summary>Crowd invites (issue 17): links, sign-up, approval, the qualification on gold items, disabling — on both databases.</summary>
public sealed class CrowdTests
{
    private const string Password = "crowd-worker-password-1";

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_link_signs_people_up_as_pending_annotators_within_its_expiry_and_maximum(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var project = await CreateProjectAsync(manager, "Crowd", overlap: 1);
        await ImportAsync(manager, project.Id, "one", "two");
        var invites = $"/api/v1/projects/{project.Id}/crowd/invites";

        // The rules name their field; a qualification needs as many gold items as it asks for.
        await AssertInvalidAsync(await manager.PostRawAsync(invites, new NewCrowdInvite("late", DateTimeOffset.UtcNow.AddDays(91))), "expiresAt");
        await AssertInvalidAsync(await manager.PostRawAsync(invites, new NewCrowdInvite("", DateTimeOffset.UtcNow.AddDays(1))), "name");
        await AssertInvalidAsync(await manager.PostRawAsync(invites, new NewCrowdInvite("quiz", DateTimeOffset.UtcNow.AddDays(1), QualificationItems: 1)), "qualificationItems");

        var created = await manager.PostAsync<CreatedCrowdInvite>(invites, new NewCrowdInvite("batch 1", DateTimeOffset.UtcNow.AddDays(7), MaxPeople: 1));
        Assert.Equal(43, created.Secret.Length);
        Assert.Equal("/join/" + created.Secret, created.Link);
        await using (var db = app.CreateDbContext())
        {
            // Only the hash is stored.
            var stored = await db.CrowdInvites.SingleAsync(i => i.Id == created.Invite.Id);
            Assert.Equal(CrowdService.HashSecret(created.Secret), stored.TokenHash);
            Assert.DoesNotContain(created.Secret, stored.TokenHash, StringComparison.Ordinal);
        }

        var anonymous = app.AnonymousClient();
        var info = await anonymous.GetAsync<CrowdInviteInfo>($"/api/v1/join/{created.Secret}");
        Assert.Equal(("Crowd", "batch 1", CrowdInviteState.Open), (info.ProjectName, info.InviteName, info.State));
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.Http.GetAsync($"/api/v1/join/{new string('x', 43)}")).StatusCode);

        // A common password is refused, naming the field, and makes no account.
        await AssertInvalidAsync(await anonymous.PostRawAsync($"/api/v1/join/{created.Secret}", new CrowdSignUp("worker", "Worker", null, "password123")), "password");
        await using (var db = app.CreateDbContext())
        {
            Assert.False(await db.Users.AnyAsync(u => u.UserName == "worker"));
        }

        var signedUp = await anonymous.PostAsync<CrowdSignUpResult>($"/api/v1/join/{created.Secret}", new CrowdSignUp("worker", "Worker One", "w@example.com", Password));
        Assert.Equal((project.Id, "Crowd", CrowdMemberState.Pending), (signedUp.ProjectId, signedUp.ProjectName, signedUp.State));
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var user = await scope.ServiceProvider.GetRequiredService<UserAdminService>().GetAsync(signedUp.UserId);
            Assert.Equal([Roles.Annotator], user.Roles);
            Assert.Equal("Worker One", user.DisplayName);
        }

        // The one place is taken: the next person is turned away and no account is made.
        var full = await anonymous.PostRawAsync($"/api/v1/join/{created.Secret}", new CrowdSignUp("second", null, null, Password));
        Assert.Equal(HttpStatusCode.Conflict, full.StatusCode);
        var listed = Assert.Single(await manager.GetAsync<List<CrowdInviteView>>(invites));
        Assert.Equal((1, CrowdInviteState.Full), (listed.Uses, listed.State));

        // Pending: the worker signs in but gets no task, and hears why.
        var worker = await app.ClientForAsync(signedUp.UserId);
        var waiting = await worker.PostRawAsync($"/api/v1/projects/{project.Id}/tasks/next", null);
        Assert.Equal(HttpStatusCode.Forbidden, waiting.StatusCode);
        Assert.Contains("crowd.awaiting_approval", await waiting.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var pending = Assert.Single(await manager.GetAsync<List<CrowdMemberView>>($"/api/v1/projects/{project.Id}/crowd/members?state=Pending"));
        Assert.Equal(("worker", QualificationState.NotRequired), (pending.UserName, pending.Qualification));
        var approved = await manager.PostAsync<CrowdMemberView>($"/api/v1/projects/{project.Id}/crowd/members/{pending.Id}/approve", null);
        Assert.Equal(CrowdMemberState.Approved, approved.State);
        Assert.NotNull(await worker.PostAsync<LabelingTask>($"/api/v1/projects/{project.Id}/tasks/next", null));

        // Revoked and expired links take nobody.
        var second = await manager.PostAsync<CreatedCrowdInvite>(invites, new NewCrowdInvite("batch 2", DateTimeOffset.UtcNow.AddDays(7)));
        await ApiClient.EnsureAsync(await manager.Http.DeleteAsync($"{invites}/{second.Invite.Id}"));
        Assert.Equal(CrowdInviteState.Revoked, (await anonymous.GetAsync<CrowdInviteInfo>($"/api/v1/join/{second.Secret}")).State);
        var revoked = await anonymous.PostRawAsync($"/api/v1/join/{second.Secret}", new CrowdSignUp("third", null, null, Password));
        Assert.Equal(HttpStatusCode.Conflict, revoked.StatusCode);
        Assert.Contains("crowd.invite_revoked", await revoked.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var third = await manager.PostAsync<CreatedCrowdInvite>(invites, new NewCrowdInvite("batch 3", DateTimeOffset.UtcNow.AddDays(7)));
        await using (var db = app.CreateDbContext())
        {
            await db.CrowdInvites.Where(i => i.Id == third.Invite.Id).ExecuteUpdateAsync(s => s.SetProperty(i => i.ExpiresAt, DateTimeOffset.UtcNow.AddMinutes(-1)));
        }
        var expired = await anonymous.PostRawAsync($"/api/v1/join/{third.Secret}", new CrowdSignUp("fourth", null, null, Password));
        Assert.Equal(HttpStatusCode.Conflict, expired.StatusCode);
        Assert.Contains("crowd.invite_expired", await expired.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await using (var db = app.CreateDbContext())
        {
            Assert.False(await db.Users.AnyAsync(u => u.UserName == "second" || u.UserName == "third" || u.UserName == "fourth"));
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Approved_members_answer_only_gold_items_until_the_qualification_decides_pass_or_fail(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var project = await CreateProjectAsync(manager, "Quiz", overlap: 2);
        var itemIds = await ImportAsync(manager, project.Id, "real 1", "real 2", "gold 1", "gold 2", "gold 3");
        var gold = itemIds.Skip(2).ToList();
        foreach (var id in gold)
        {
            await ApiClient.EnsureAsync(await manager.Http.PutAsJsonAsync($"/api/v1/projects/{project.Id}/items/{id}/gold",
                new GoldRequest(Values(("sentiment", "positive"))), LabelHubApp.Json));
        }
        var invite = await manager.PostAsync<CreatedCrowdInvite>($"/api/v1/projects/{project.Id}/crowd/invites",
            new NewCrowdInvite("quiz", DateTimeOffset.UtcNow.AddDays(7), QualificationItems: 2, QualificationPassRate: 1.0));
        var anonymous = app.AnonymousClient();
        var good = await app.ClientForAsync((await anonymous.PostAsync<CrowdSignUpResult>($"/api/v1/join/{invite.Secret}", new CrowdSignUp("good", null, null, Password))).UserId);
        var poor = await app.ClientForAsync((await anonymous.PostAsync<CrowdSignUpResult>($"/api/v1/join/{invite.Secret}", new CrowdSignUp("poor", null, null, Password))).UserId);
        var approved = await manager.PostAsync<ApproveAllResult>($"/api/v1/projects/{project.Id}/crowd/members/approve-pending", null);
        Assert.Equal(2, approved.Approved);

        // Gold only while qualifying, though the project's gold rate is 0 and real items come first otherwise.
        async Task<LabelingTask> AnswerAsync(ApiClient annotator, string sentiment)
        {
            var task = await annotator.PostAsync<LabelingTask>($"/api/v1/projects/{project.Id}/tasks/next", null);
            await annotator.PostAsync<SubmitResult>($"/api/v1/tasks/{task.AssignmentId}/submit", new SubmitRequest(Values(("sentiment", sentiment)), 1000));
            return task;
        }
        Assert.Contains((await AnswerAsync(good, "positive")).ItemId, gold);
        Assert.Equal(QualificationState.InProgress, (await MembersAsync()).Single(m => m.UserName == "good").Qualification);
        Assert.Contains((await AnswerAsync(good, "positive")).ItemId, gold);
        var real = await good.PostAsync<LabelingTask>($"/api/v1/projects/{project.Id}/tasks/next", null);
        Assert.DoesNotContain(real.ItemId, gold);
        var passed = (await MembersAsync()).Single(m => m.UserName == "good");
        Assert.Equal((QualificationState.Passed, 2, 2), (passed.Qualification, passed.QualificationAnswered, passed.QualificationCorrect));

        Assert.Contains((await AnswerAsync(poor, "positive")).ItemId, gold);
        Assert.Contains((await AnswerAsync(poor, "negative")).ItemId, gold);
        var refused = await poor.PostRawAsync($"/api/v1/projects/{project.Id}/tasks/next", null);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("crowd.qualification_failed", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var failed = (await MembersAsync()).Single(m => m.UserName == "poor");
        Assert.Equal((QualificationState.Failed, 2, 1), (failed.Qualification, failed.QualificationAnswered, failed.QualificationCorrect));

        // A new attempt needs two gold items the member has not had: one is left, then a fourth is added.
        var reset = $"/api/v1/projects/{project.Id}/crowd/members/{failed.Id}/reset-qualification";
        Assert.Equal(HttpStatusCode.Conflict, (await manager.PostRawAsync(reset, null)).StatusCode);
        await ApiClient.EnsureAsync(await manager.Http.PutAsJsonAsync($"/api/v1/projects/{project.Id}/items/{itemIds[1]}/gold",
            new GoldRequest(Values(("sentiment", "positive"))), LabelHubApp.Json));
        Assert.Equal(QualificationState.InProgress, (await manager.PostAsync<CrowdMemberView>(reset, null)).Qualification);
        Assert.Contains((await AnswerAsync(poor, "positive")).ItemId, gold.Append(itemIds[1]));
        Assert.Contains((await AnswerAsync(poor, "positive")).ItemId, gold.Append(itemIds[1]));
        var afterRetry = await poor.PostAsync<LabelingTask>($"/api/v1/projects/{project.Id}/tasks/next", null);
        Assert.Equal(itemIds[0], afterRetry.ItemId);
        Assert.Equal(QualificationState.Passed, (await MembersAsync()).Single(m => m.UserName == "poor").Qualification);

        async Task<List<CrowdMemberView>> MembersAsync() => await manager.GetAsync<List<CrowdMemberView>>($"/api/v1/projects/{project.Id}/crowd/members");
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Disabling_a_member_returns_their_leases_at_once_and_shuts_them_out_until_enabled(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var regular = await app.CreateUserClientAsync("regular", Roles.Annotator);
        var project = await CreateProjectAsync(manager, "Stop", overlap: 1);
        await AddMemberAsync(manager, project.Id, regular.UserId);
        var itemIds = await ImportAsync(manager, project.Id, "only item");
        var invite = await manager.PostAsync<CreatedCrowdInvite>($"/api/v1/projects/{project.Id}/crowd/invites", new NewCrowdInvite("open", DateTimeOffset.UtcNow.AddDays(1)));
        var signUp = await app.AnonymousClient().PostAsync<CrowdSignUpResult>($"/api/v1/join/{invite.Secret}", new CrowdSignUp("crowd", null, null, Password));
        var crowd = await app.ClientForAsync(signUp.UserId);
        await manager.PostAsync<CrowdMemberView>($"/api/v1/projects/{project.Id}/crowd/members/{signUp.MemberId}/approve", null);

        Assert.Equal(itemIds[0], (await crowd.PostAsync<LabelingTask>($"/api/v1/projects/{project.Id}/tasks/next", null)).ItemId);
        Assert.Equal(HttpStatusCode.NoContent, (await regular.PostRawAsync($"/api/v1/projects/{project.Id}/tasks/next", null)).StatusCode);

        var disabled = await manager.PostAsync<CrowdMemberView>($"/api/v1/projects/{project.Id}/crowd/members/{signUp.MemberId}/disable", null);
        Assert.Equal(CrowdMemberState.Disabled, disabled.State);
        await using (var db = app.CreateDbContext())
        {
            // The slot is free now, not when the lease would have run out.
            Assert.Equal(0, await db.Items.Where(i => i.Id == itemIds[0]).Select(i => i.TakenSlots).SingleAsync());
            Assert.False(await db.ProjectMembers.AnyAsync(m => m.ProjectId == project.Id && m.UserId == signUp.UserId));
        }
        Assert.Equal(itemIds[0], (await regular.PostAsync<LabelingTask>($"/api/v1/projects/{project.Id}/tasks/next", null)).ItemId);
        var shut = await crowd.PostRawAsync($"/api/v1/projects/{project.Id}/tasks/next", null);
        Assert.Equal(HttpStatusCode.Forbidden, shut.StatusCode);
        Assert.Contains("crowd.member_disabled", await shut.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await crowd.Http.GetAsync($"/api/v1/projects/{project.Id}")).StatusCode);

        // A rejected or disabled person cannot be rejected again; enabling lets them back in.
        Assert.Equal(HttpStatusCode.Conflict, (await manager.PostRawAsync($"/api/v1/projects/{project.Id}/crowd/members/{signUp.MemberId}/reject", null)).StatusCode);
        Assert.Equal(CrowdMemberState.Approved, (await manager.PostAsync<CrowdMemberView>($"/api/v1/projects/{project.Id}/crowd/members/{signUp.MemberId}/enable", null)).State);
        await ApiClient.EnsureAsync(await crowd.Http.GetAsync($"/api/v1/projects/{project.Id}"));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Sign_ups_from_one_address_are_limited_with_a_retry_after(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var project = await CreateProjectAsync(manager, "Busy", overlap: 1);
        var invite = await manager.PostAsync<CreatedCrowdInvite>($"/api/v1/projects/{project.Id}/crowd/invites", new NewCrowdInvite("open", DateTimeOffset.UtcNow.AddDays(1)));
        var anonymous = app.AnonymousClient();
        var join = $"/api/v1/join/{invite.Secret}";

        // A form to correct does not count.
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.BadRequest, (await anonymous.PostRawAsync(join, new CrowdSignUp("x", null, null, Password))).StatusCode);
        }
        for (var i = 0; i < Web.Identity.CrowdSignUpThrottle.PerAddress; i++)
        {
            await anonymous.PostAsync<CrowdSignUpResult>(join, new CrowdSignUp($"person-{i}", null, null, Password));
        }
        var limited = await anonymous.PostRawAsync(join, new CrowdSignUp("one-too-many", null, null, Password));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        var retryAfter = int.Parse(limited.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 3000, 3600);
        Assert.Contains("crowd.sign_up_throttled", await limited.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await using var db = app.CreateDbContext();
        Assert.False(await db.Users.AnyAsync(u => u.UserName == "one-too-many"));
        Assert.Equal(Web.Identity.CrowdSignUpThrottle.PerAddress, await db.CrowdMembers.CountAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task The_join_page_signs_a_person_up_and_in_and_shows_them_waiting_for_approval(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var project = await CreateProjectAsync(manager, "Page join", overlap: 1);
        var invite = await manager.PostAsync<CreatedCrowdInvite>($"/api/v1/projects/{project.Id}/crowd/invites", new NewCrowdInvite("page", DateTimeOffset.UtcNow.AddDays(1)));
        var browser = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

        var page = await browser.GetStringAsync(invite.Link);
        Assert.Contains("Page join", page, StringComparison.Ordinal);
        var antiforgery = System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"").Groups[1].Value;
        FormUrlEncodedContent Form(string password) => new(new Dictionary<string, string>
        {
            ["_handler"] = "join",
            ["__RequestVerificationToken"] = antiforgery,
            ["Input.DisplayName"] = "Page Person",
            ["Input.UserName"] = "page-person",
            ["Input.Password"] = password,
        });

        // A refused password shows on the page; no account.
        var refused = await browser.PostAsync(invite.Link, Form("short"));
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("join-error", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var joined = await browser.PostAsync(invite.Link, Form(Password));
        Assert.Equal(HttpStatusCode.Redirect, joined.StatusCode);
        Assert.Equal("/crowd/standing", new Uri(new Uri("http://localhost"), joined.Headers.Location!).AbsolutePath);
        var standing = await browser.GetAsync("/crowd/standing");
        Assert.Equal(HttpStatusCode.OK, standing.StatusCode);
        Assert.Contains("standing-pending", await standing.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // An unknown link says so, with no form.
        var unknown = await browser.GetStringAsync("/join/" + new string('z', 43));
        Assert.Contains("join-link-error", unknown, StringComparison.Ordinal);
        Assert.DoesNotContain("join-form", unknown, StringComparison.Ordinal);
    }

    [Fact]
    public void The_throttle_limits_each_link_and_each_address_for_an_hour()
    {
        var clock = new ManualClock(DateTimeOffset.Parse("2026-12-06T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var throttle = new Web.Identity.CrowdSignUpThrottle(clock);
        var link = new string('a', 43);
        // Many addresses, one link: the link's limit holds.
        for (var i = 0; i < Web.Identity.CrowdSignUpThrottle.PerInvite; i++)
        {
            Assert.Equal(TimeSpan.Zero, throttle.TryAcquire($"10.0.0.{i}", link));
        }
        Assert.Equal(TimeSpan.FromHours(1), throttle.TryAcquire("10.0.1.1", link));
        // Another link from a fresh address is not affected; a refused attempt counts nothing.
        Assert.Equal(TimeSpan.Zero, throttle.TryAcquire("10.0.1.1", new string('b', 43)));
        clock.Advance(TimeSpan.FromMinutes(61));
        Assert.Equal(TimeSpan.Zero, throttle.TryAcquire("10.0.1.1", link));

        // One address, several links: the address's limit holds, and a given-back attempt frees its place.
        for (var i = 0; i < Web.Identity.CrowdSignUpThrottle.PerAddress - 1; i++)
        {
            Assert.Equal(TimeSpan.Zero, throttle.TryAcquire("10.9.9.9", $"{i}{new string('c', 42)}"));
        }
        Assert.Equal(TimeSpan.Zero, throttle.TryAcquire("10.9.9.9", new string('d', 43)));
        Assert.True(throttle.TryAcquire("10.9.9.9", new string('e', 43)) > TimeSpan.Zero);
        throttle.GiveBack("10.9.9.9", new string('d', 43));
        Assert.Equal(TimeSpan.Zero, throttle.TryAcquire("10.9.9.9", new string('e', 43)));
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        private DateTimeOffset current = now;

        public override DateTimeOffset GetUtcNow() => current;

        public void Advance(TimeSpan by) => current += by;
    }

    private static async Task<List<long>> ImportAsync(ApiClient manager, Guid projectId, params string[] texts)
    {
        var job = await WaitForJobAsync(manager, (await manager.PostAsync<JobRunInfo>($"/api/v1/projects/{projectId}/items", texts.Select(t => new { text = t }).ToArray())).Id);
        Assert.Equal(JobState.Succeeded, job.State);
        return [.. (await manager.GetAsync<ItemPage>($"/api/v1/projects/{projectId}/items")).Items.Select(i => i.Id)];
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task The_members_list_filters_by_invite_naming_a_bad_invite_id_and_refusing_another_projects_invite(string provider)
    {
        await using var app = await LabelHubApp.StartAsync(provider);
        var manager = await app.CreateUserClientAsync("boss", Roles.Manager);
        var project = await CreateProjectAsync(manager, "Crowd", overlap: 1);
        var other = await CreateProjectAsync(manager, "Other", overlap: 1);
        var invites = $"/api/v1/projects/{project.Id}/crowd/invites";
        var spring = await manager.PostAsync<CreatedCrowdInvite>(invites, new NewCrowdInvite("spring", DateTimeOffset.UtcNow.AddDays(7)));
        var autumn = await manager.PostAsync<CreatedCrowdInvite>(invites, new NewCrowdInvite("autumn", DateTimeOffset.UtcNow.AddDays(7)));
        var elsewhere = await manager.PostAsync<CreatedCrowdInvite>($"/api/v1/projects/{other.Id}/crowd/invites", new NewCrowdInvite("elsewhere", DateTimeOffset.UtcNow.AddDays(7)));
        var anonymous = app.AnonymousClient();
        await anonymous.PostAsync<CrowdSignUpResult>($"/api/v1/join/{spring.Secret}", new CrowdSignUp("spring-1", null, null, Password));
        await anonymous.PostAsync<CrowdSignUpResult>($"/api/v1/join/{spring.Secret}", new CrowdSignUp("spring-2", null, null, Password));
        await anonymous.PostAsync<CrowdSignUpResult>($"/api/v1/join/{autumn.Secret}", new CrowdSignUp("autumn-1", null, null, Password));

        var members = $"/api/v1/projects/{project.Id}/crowd/members";
        Assert.Equal(3, (await manager.GetAsync<List<CrowdMemberView>>(members)).Count);
        var springOnly = await manager.GetAsync<List<CrowdMemberView>>($"{members}?inviteId={spring.Invite.Id}");
        Assert.Equal(["spring-1", "spring-2"], springOnly.Select(m => m.UserName));
        Assert.All(springOnly, m => Assert.Equal(spring.Invite.Id, m.InviteId));
        // With the state filter as well.
        Assert.Equal(["autumn-1"], (await manager.GetAsync<List<CrowdMemberView>>($"{members}?inviteId={autumn.Invite.Id}&state=Pending")).Select(m => m.UserName));

        await AssertInvalidAsync(await manager.Http.GetAsync($"{members}?inviteId=spring"), "inviteId");
        Assert.Equal(HttpStatusCode.NotFound, (await manager.Http.GetAsync($"{members}?inviteId={elsewhere.Invite.Id}")).StatusCode);
    }

    private static async Task AssertInvalidAsync(HttpResponseMessage response, string field)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, body);
        Assert.True(JsonDocument.Parse(body).RootElement.GetProperty("errors").TryGetProperty(field, out _), body);
    }
}
