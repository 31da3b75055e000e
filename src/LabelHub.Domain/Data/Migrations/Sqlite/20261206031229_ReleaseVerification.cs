using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LabelHub.Domain.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ReleaseVerification : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "verification_problem",
                table: "releases",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "verified_at",
                table: "releases",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "verified_sha256",
                table: "releases",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "verification_problem",
                table: "releases");

            migrationBuilder.DropColumn(
                name: "verified_at",
                table: "releases");

            migrationBuilder.DropColumn(
                name: "verified_sha256",
                table: "releases");
        }
    }
}
