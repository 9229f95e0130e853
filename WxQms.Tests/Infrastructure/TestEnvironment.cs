namespace WxQms.Tests.Infrastructure;

/// <summary>
/// Where the test instances live. scripts/test.sh exports both variables from
/// <c>scripts/services.sh --test</c>; the defaults match that instance, never the dev one.
/// </summary>
public static class TestEnvironment
{
    public static string MySql { get; } = Environment.GetEnvironmentVariable("WXQMS_TEST_MYSQL")
        ?? "Server=127.0.0.1;Port=33307;Database=wxqms_test;User ID=wxqms;Password=wxqms_test_pw;DateTimeKind=Utc";

    public static string Redis { get; } = Environment.GetEnvironmentVariable("WXQMS_TEST_REDIS")
        ?? "127.0.0.1:16380,abortConnect=false";

    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "WxQms.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("WxQms.sln not found above " + AppContext.BaseDirectory);
    }
}
