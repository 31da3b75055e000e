using System.Globalization;
using Hangfire;
using LabelHub.Domain;
using LabelHub.Domain.Data;
using LabelHub.Domain.Identity;
using LabelHub.Web.Api;
using LabelHub.Web.Components;
using LabelHub.Web.Identity;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Localization;
using Microsoft.Extensions.Options;
using MudBlazor.Services;
using Serilog;

namespace LabelHub.Web;

public static class WebSetup
{
    /// <summary>The browser's sign-in cookie.</summary>
    public const string AuthCookieName = "labelhub.auth";

    public static readonly string[] Cultures = ["en", "ko"];
    private const string AuthScheme = "CookieOrToken";

    public static IHostApplicationBuilder AddLabelHubWeb(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddIdentityCore<AppUser>(options =>
            {
                options.Password.RequiredLength = 10;
                options.Password.RequireNonAlphanumeric = false;
                options.Password.RequireUppercase = false;
                options.Password.RequireLowercase = false;
                options.Password.RequireDigit = false;
                // Lockout marks only accounts an admin disabled; failed sign-ins are throttled instead (SignInThrottle).
                options.Lockout.AllowedForNewUsers = true;
                options.User.AllowedUserNameCharacters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._@+";
            })
            .AddRoles<AppRole>()
            .AddEntityFrameworkStores<LabelHubDbContext>()
            .AddSignInManager()
            .AddPasswordValidator<CommonPasswordValidator>()
            .AddDefaultTokenProviders();

        services.AddAuthentication(options =>
            {
                options.DefaultScheme = AuthScheme;
                options.DefaultChallengeScheme = AuthScheme;
            })
            .AddPolicyScheme(AuthScheme, "Cookie or access token", options =>
                options.ForwardDefaultSelector = context =>
                    context.Request.Headers.Authorization.ToString().StartsWith(TokenAuthenticationHandler.HeaderPrefix, StringComparison.OrdinalIgnoreCase)
                        ? TokenAuthenticationHandler.SchemeName
                        : IdentityConstants.ApplicationScheme)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, TokenAuthenticationHandler>(TokenAuthenticationHandler.SchemeName, null)
            .AddIdentityCookies();
        services.ConfigureApplicationCookie(options =>
        {
            options.LoginPath = "/account/login";
            options.AccessDeniedPath = "/account/denied";
            options.Cookie.Name = AuthCookieName;
            options.Cookie.SameSite = SameSiteMode.Lax;
            options.Cookie.HttpOnly = true;
            options.SlidingExpiration = true;
            options.ExpireTimeSpan = TimeSpan.FromDays(7);
            // The API answers 401/403 instead of redirecting to the login page.
            options.Events.OnRedirectToLogin = context => ApiAwareRedirect(context, StatusCodes.Status401Unauthorized);
            options.Events.OnRedirectToAccessDenied = context => ApiAwareRedirect(context, StatusCodes.Status403Forbidden);
            options.Events.OnValidatePrincipal = SessionValidator.ValidateAsync;
        });
        // Role changes reach signed-in users within a minute; disabling and sign-out end sessions at once (SessionValidator).
        services.Configure<SecurityStampValidatorOptions>(options => options.ValidationInterval = TimeSpan.FromMinutes(1));
        services.AddSingleton<SignInThrottle>();
        services.AddSingleton<CrowdSignUpThrottle>();
        services.AddScoped<PasswordSignIn>();
        services.AddSingleton<SignInTicket>();
        Policies.Configure(services.AddAuthorizationBuilder());
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, RoleNamingForbidden>();
        services.AddCascadingAuthenticationState();
        services.AddDataProtection().SetApplicationName("LabelHub").PersistKeysToDbContext<LabelHubDbContext>();
        // The antiforgery cookie is Secure whenever the request is HTTPS (the auth cookie's default already).
        services.AddAntiforgery(options => options.Cookie.SecurePolicy = Microsoft.AspNetCore.Http.CookieSecurePolicy.SameAsRequest);
        // X-Forwarded-For/-Proto are believed from loopback (a proxy on the same machine) and from the addresses listed in
        // LabelHub:TrustedProxies (a reverse proxy in front of the compose services), never from anyone else.
        services.Configure<Microsoft.AspNetCore.Builder.ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor | Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto;
            foreach (var proxy in (builder.Configuration["LabelHub:TrustedProxies"] ?? "").Split([',', ' '], StringSplitOptions.RemoveEmptyEntries))
            {
                options.KnownProxies.Add(System.Net.IPAddress.Parse(proxy));
            }
        });

        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices(options => options.SnackbarConfiguration.PositionClass = MudBlazor.Defaults.Classes.Position.BottomRight);
        services.AddLocalization(options => options.ResourcesPath = "Resources");
        services.Configure<RequestLocalizationOptions>(options =>
        {
            options.SetDefaultCulture(Cultures[0]).AddSupportedCultures(Cultures).AddSupportedUICultures(Cultures);
            options.ApplyCurrentCultureToResponseHeaders = true;
        });
        services.AddHttpContextAccessor();
        // Korean text goes out as text, not as numeric character references: smaller pages, readable source.
        services.AddWebEncoders(options => options.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));

        services.ConfigureHttpJsonOptions(options => options.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));
        services.AddProblemDetails();
        services.AddExceptionHandler<ProblemDetailsHandler>();
        services.AddLabelHubOpenApi();
        services.Configure<Microsoft.AspNetCore.Http.Features.FormOptions>(options => options.MultipartBodyLengthLimit = Domain.Collection.ImportService.MaxFileBytes + 1024 * 1024);
        builder.Services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(options => options.Limits.MaxRequestBodySize = Domain.Collection.ImportService.MaxFileBytes + 1024 * 1024);
        services.AddHealthChecks()
            .AddDbContextCheck<LabelHubDbContext>("database")
            .AddCheck<JobServerHealthCheck>("jobs");
        return builder;
    }

    // Paths whose error statuses are for programs, not people: no "page not found" page for them.
    private static readonly string[] OwnStatusPaths = ["/api", "/jobs", "/health", "/openapi", "/_framework", "/_content"];

    public static WebApplication UseLabelHubWeb(this WebApplication app)
    {
        PrepareAsync(app).GetAwaiter().GetResult();

        // Behind a TLS-terminating proxy (one the configuration trusts), the request is HTTPS: cookies are then Secure and
        // HSTS is sent, as they are when the app serves HTTPS itself.
        app.UseForwardedHeaders();
        app.UseSecurityHeaders();
        // Outside the exception handler, so a domain error turned into a 4xx problem is logged with its final status, not as a 500.
        app.UseSerilogRequestLogging();
        app.UseExceptionHandler();
        // API clients get RFC 7807 problems; a person who opens a mistyped address gets a page with a way back. The page
        // branch comes second so it is the inner one: status code pages act on the way out, innermost first. The job
        // dashboard, health and OpenAPI answer 401/403/404 as they are.
        app.UseStatusCodePages();
        app.UseWhen(context => HttpMethods.IsGet(context.Request.Method) && !OwnStatusPaths.Any(prefix => context.Request.Path.StartsWithSegments(prefix)),
            pages => pages.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true));
        // Routing after the status code pages, so the re-executed request for /not-found finds its page.
        app.UseRouting();
        if (!app.Environment.IsDevelopment())
        {
            app.UseHsts();
        }
        app.UseRequestLocalization();
        app.UseSameOriginWrites();
        app.UseAuthentication();
        app.UseMiddleware<PasswordChangeGate>();
        app.UseAuthorization();
        app.UseAntiforgery();

        app.MapStaticAssets().AllowAnonymous();
        // Blazor's own "frame-ancestors 'self'" policy is left out: SecurityHeaders sends one policy with frame-ancestors 'none'.
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode(options => options.ContentSecurityFrameAncestorsPolicy = null);
        app.MapAccountEndpoints();
        app.MapLabelHubApi();
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        app.MapApiReference();
        app.MapHealthChecks("/health", new Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions { ResponseWriter = HealthResponse.WriteAsync }).AllowAnonymous();
        app.MapHangfireDashboard("/jobs", new DashboardOptions { Authorization = [], AppPath = "/", DashboardTitle = "LabelHub jobs" })
            .RequireAuthorization(Policies.Admin);
        return app;
    }

    /// <summary>Embedded mode migrates on start; every mode makes sure an admin exists and says how to sign in.</summary>
    private static async Task PrepareAsync(WebApplication app)
    {
        var settings = app.Services.GetRequiredService<DatabaseSettings>();
        if (settings.IsEmbedded || app.Configuration.GetValue<bool>("LabelHub:MigrateOnStart"))
        {
            await DatabaseSetup.MigrateAsync(app.Services);
        }
        using var scope = app.Services.CreateScope();
        var password = await scope.ServiceProvider.GetRequiredService<UserAdminService>().EnsureFirstAdminAsync();
        if (password is not null)
        {
            var options = app.Services.GetRequiredService<IOptions<LabelHubOptions>>().Value;
            var file = Path.Combine(options.DataDirFullPath, UserAdminService.InitialAdminPasswordFile);
            DataFolder.EnsurePrivate(options.DataDirFullPath);
            await File.WriteAllTextAsync(file, $"user: {UserAdminService.FirstAdminUserName}\npassword: {password}\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            // Printed, not logged: the password must not end up in log files.
            Console.WriteLine();
            Console.WriteLine("==================================================================");
            Console.WriteLine(" LabelHub created the first admin account.");
            Console.WriteLine($"   user:     {UserAdminService.FirstAdminUserName}");
            Console.WriteLine($"   password: {password}   (one-time: you set your own at the first sign-in)");
            Console.WriteLine($"   also written to {file}");
            Console.WriteLine("==================================================================");
            Console.WriteLine();
        }
    }

    private static Task ApiAwareRedirect(Microsoft.AspNetCore.Authentication.RedirectContext<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions> context, int status)
    {
        if (context.Request.Path.StartsWithSegments("/api") || context.Request.Path.StartsWithSegments("/jobs"))
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        }
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }

    public static string CultureCookieValue(string culture) =>
        CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(CultureInfo.GetCultureInfo(culture)));
}
