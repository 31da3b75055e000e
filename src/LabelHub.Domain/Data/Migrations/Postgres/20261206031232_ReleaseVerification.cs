using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LabelHub.Domain.Data.Migrations.Postgres
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
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "verified_at",
                table: "releases",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "verified_sha256",
                table: "releases",
                type: "text",
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
